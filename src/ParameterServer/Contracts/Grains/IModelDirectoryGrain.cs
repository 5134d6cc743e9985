namespace ParameterServer.Contracts;

/// <summary>The names of all models of the cluster. One instance, key 0.</summary>
public interface IModelDirectoryGrain : IGrainWithIntegerKey
{
    Task Add(string model);

    Task<IReadOnlyList<string>> List();
}
