using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ParameterServer.Tests.DataPlane;
using ParameterServer.Tests.Processes;
using Xunit;

namespace ParameterServer.Tests.Faults;

/// <summary>
/// A silo process out of file descriptors: connections to its data port stay queued and every accept fails at once.
/// Its accept loop pauses after each failure, twice as long each time up to a second, instead of spinning on them,
/// and serves lanes again once descriptors are free.
/// </summary>
[Collection(ProcessCollection.Name)]
[Trait("Category", ProcessCollection.Category)]
public sealed partial class DataPortDescriptorTests : IDisposable
{
    // About 200 are open once a silo is ready: a few hundred lanes use up the rest.
    private const int Descriptors = 512;

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private readonly string _directory = Directory.CreateTempSubdirectory("ps-descriptors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Accept_failures_are_retried_after_growing_pauses_and_lanes_are_served_again_once_descriptors_are_free()
    {
        await using var silo = await SiloProcess.StartAsync(_directory, "silo",
            ["--data-dir", Path.Combine(_directory, "data"), "--DataPlane:MaxLanes", "100000"],
            launcher: ["prlimit", $"--nofile={Descriptors}:{Descriptors}"]);
        var port = new IPEndPoint(IPAddress.Loopback, int.Parse(DataPortLine().Match(silo.Output).Groups[1].Value, CultureInfo.InvariantCulture));
        var held = new List<Socket>();
        int failuresInWindow;
        try
        {
            // More connections than the silo has descriptors: the kernel queues those it cannot accept.
            for (var i = 0; i < Descriptors + 100; i++)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                held.Add(socket);
                await socket.ConnectAsync(port);
            }
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (AcceptFailedLine().Count(silo.Output) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the silo logged no failed accept:\n{silo.Output}");
                await Task.Delay(50);
            }
            var before = AcceptFailedLine().Count(silo.Output);
            await Task.Delay(Window);
            failuresInWindow = AcceptFailedLine().Count(silo.Output) - before;
        }
        finally
        {
            foreach (var socket in held)
                socket.Dispose();
        }

        // Pauses of 10, 20, 40, ... ms, then 1 s: about 8 failures in 2 s (15 for scheduling slack). A loop that
        // retried at once would fail thousands of times.
        Assert.InRange(failuresInWindow, 1, 15);
        // The lanes just closed give their descriptors back; within the longest pause the port accepts again.
        var served = false;
        for (var tries = 0; !served && tries < 50; tries++)
        {
            await Task.Delay(200);
            served = await ServedAsync(port);
        }
        Assert.True(served, $"no lane was served after the descriptors were free:\n{silo.Output[^Math.Min(silo.Output.Length, 4000)..]}");
        Assert.False(silo.HasExited);
    }

    private static async Task<bool> ServedAsync(IPEndPoint port)
    {
        try
        {
            using var lane = await RawLane.ConnectAsync(port);
            // Any answer, an acknowledgment or a refusal, says the lane was accepted and read.
            await lane.SendAsync(RawLane.Header(RawLane.PushData, Guid.NewGuid(), "m/t/0", 2), [1, 2]);
            return await lane.ReadAsync().WaitAsync(TimeSpan.FromSeconds(5)) is not null;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Data port (\d+) open")]
    private static partial Regex DataPortLine();

    [GeneratedRegex("accept failed")]
    private static partial Regex AcceptFailedLine();
}
