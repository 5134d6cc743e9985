namespace ParameterServer.Host.Chaos;

/// <summary>
/// One kind of hostile request: its name, the refusal it must get, how often it is drawn relative to the others,
/// whether it needs the silos' data ports, and how to send one (randomized by the <see cref="Random"/> it is given).
/// Every request of a kind is invalid by construction, so any answer but <see cref="Expected"/> is a defect of the server.
/// </summary>
internal sealed record BadRequest(string Kind, Refusal Expected, int Weight, Func<ChaosTargets, Random, Task> Send, bool OnDataPort = false);
