using System.Diagnostics;
using System.Text.Json;

namespace ParameterServer.Benchmarks.Peers;

/// <summary>
/// Runs one of the PyTorch peer scripts (copied beside the benchmark executable, in Peers/) and returns the one
/// JSON object it prints. The first call makes sure torch is importable (ensure-torch.sh, once per process); the
/// interpreter is /usr/bin/python3, or PS_PYTHON when set. A peer that overruns is killed with its whole process
/// tree. Example: <c>var mlp = await PeerRunner.RunJsonAsync("torch_mlp.py", ["--epochs", "3"], TimeSpan.FromMinutes(5));</c>
/// </summary>
internal static class PeerRunner
{
    // Downloading and unpacking python3-torch and its dependencies took under 2 minutes here.
    private static readonly TimeSpan _installTimeout = TimeSpan.FromMinutes(10);

    private static readonly Lazy<Task> _ensureTorch = new(
        () => RunAsync("/bin/bash", [Path.Combine(ScriptDirectory, "ensure-torch.sh")], _installTimeout, CancellationToken.None));

    /// <summary>Folder of the peer scripts next to the executable. Example: <c>PeerRunner.ScriptDirectory</c>.</summary>
    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "Peers");

    /// <summary>
    /// Runs <paramref name="scriptName"/> with <paramref name="arguments"/> and parses its standard output as JSON.
    /// Throws <see cref="TimeoutException"/> (after killing the process tree) when it overruns
    /// <paramref name="timeout"/>, and <see cref="InvalidOperationException"/> with the end of its standard error
    /// when it fails or prints no JSON.
    /// Example: <c>var ps = await PeerRunner.RunJsonAsync("torch_rpc_ps.py", ["--seconds", "3"], TimeSpan.FromMinutes(2));</c>
    /// </summary>
    public static async Task<JsonElement> RunJsonAsync(
        string scriptName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await _ensureTorch.Value.WaitAsync(cancellationToken);
        var python = Environment.GetEnvironmentVariable("PS_PYTHON") is { Length: > 0 } custom ? custom : "/usr/bin/python3";
        var output = await RunAsync(python, [Path.Combine(ScriptDirectory, scriptName), .. arguments], timeout, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(output);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{scriptName} printed no JSON object: {e.Message}; its output began: {Head(output)}", e);
        }
    }

    /// <summary>Runs a program to its end and returns its standard output; a non-zero exit is an error.</summary>
    private static async Task<string> RunAsync(
        string program, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // The scripts sit in the build output; compiled bytecode there would only be clutter.
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var name = Path.GetFileName(arguments.Count > 0 ? arguments[0] : program);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started");
        // Both pipes are drained while the process runs: a full stderr pipe would stall it.
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(output, errors).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{name} did not finish within {timeout}; its process tree (PID {process.Id}) was killed");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{name} exited with code {process.ExitCode}: {Tail(errors.Result)}");
        return output.Result;
    }

    private static string Head(string text) => text.Length <= 500 ? text : text[..500] + " ...";

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "... " + text[^2000..].Trim();
}
