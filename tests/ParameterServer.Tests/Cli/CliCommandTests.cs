using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ParameterServer.Contracts;
using ParameterServer.Host.Commands;
using ParameterServer.Tests.Client;
using ParameterServer.Tests.Cluster;
using Xunit;
using static ParameterServer.Tests.Cli.CliRun;

namespace ParameterServer.Tests.Cli;

/// <summary>The CLI commands against a real silo, reached through its gateway like any program.</summary>
[Collection(SiloCollection.Name)]
public sealed class CliCommandTests(SiloFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ps-cli-").FullName;

    private string[] Cluster => fixture.Silo.CliOptions;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Status_json_shows_each_shards_version_updates_and_statistics()
    {
        var model = await PushedModel();

        var result = await Run(["status", "--model", model, "--json", .. Cluster]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        var table = JsonDocument.Parse(result.Out).RootElement.GetProperty("models")[0].GetProperty("tables")[0];
        Assert.Equal(("w", 6, 2, 4), (table.GetProperty("name").GetString(), table.GetProperty("rows").GetInt32(),
            table.GetProperty("cols").GetInt32(), table.GetProperty("shardRows").GetInt32()));
        var shards = table.GetProperty("shards").EnumerateArray().ToArray();
        Assert.Equal([(0, 1L, 1L), (1, 1L, 1L)], shards.Select(s => (s.GetProperty("shard").GetInt32(), s.GetProperty("version").GetInt64(), s.GetProperty("updates").GetInt64())));
        // The sum of squares worked out in SgdTable.AfterOnePush.
        var stats = table.GetProperty("stats");
        Assert.Equal(Math.Sqrt(SgdTable.SumOfSquaresAfterOnePush), stats.GetProperty("l2Norm").GetDouble(), 9);
        Assert.Equal((-1f, 3f, 0L), (stats.GetProperty("min").GetSingle(), stats.GetProperty("max").GetSingle(), stats.GetProperty("naNCount").GetInt64()));
    }

    [Fact]
    public async Task Status_shows_which_worker_holds_which_data_partition()
    {
        await using var client = await fixture.Silo.ConnectAsync();
        var model = await client.CreateModelAsync(SgdTable.Model("cli-partitions", ConsistencySpec.Bsp) with { Partitions = 3 });
        await model.JoinAsync("w0");
        await model.JoinAsync("w1");

        var json = await Run(["status", "--model", model.Name, "--json", .. Cluster]);
        var tables = await Run(["status", "--model", model.Name, .. Cluster]);

        // w0 took all three; w1 took w0's highest: 0 and 1 for w0, 2 for w1.
        var workers = JsonDocument.Parse(json.Out).RootElement.GetProperty("models")[0].GetProperty("workers").EnumerateArray()
            .Select(w => (w.GetProperty("id").GetString(), string.Join(",", w.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()))));
        Assert.Equal([("w0", "0,1"), ("w1", "2")], workers);
        Assert.Contains("0, 1", tables.Out);
        await model.LeaveAsync("w0");
        await model.LeaveAsync("w1");
        Assert.Contains("unassigned data partitions (waiting for a worker to join): 0, 1, 2", (await Run(["status", "--model", model.Name, .. Cluster])).Out);
    }

    [Fact]
    public async Task Status_tables_name_the_model_its_table_and_shards()
    {
        var model = await PushedModel();

        var result = await Run(["status", "--model", model, .. Cluster]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Contains($"model {model}: async, 0 worker(s)", result.Out);
        Assert.Contains("6 x 2", result.Out);
        Assert.Contains("4..6", result.Out); // shard 1's rows
    }

    [Fact]
    public async Task Pull_writes_a_row_range_as_npy()
    {
        var model = await PushedModel();
        var path = Path.Combine(_directory, "w.npy");

        var result = await Run(["pull", "--model", model, "--table", "w", "--rows", "3:5", "--out", path, .. Cluster]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        var bytes = File.ReadAllBytes(path);
        Assert.Contains("'shape': (2, 2), }", Encoding.ASCII.GetString(bytes, 10, 118));
        // Rows 3 and 4 of SgdTable.AfterOnePush: (-1, 3), (0.75, 0.625).
        Assert.Equal(new float[] { -1, 3, 0.75f, 0.625f }, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(128)).ToArray());
    }

    [Fact]
    public async Task Pull_writes_a_table_as_msgpack()
    {
        var model = await PushedModel();
        var path = Path.Combine(_directory, "w.msgpack");

        var result = await Run(["pull", "--model", model, "--table", "w", "--out", path, .. Cluster]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        var bytes = File.ReadAllBytes(path);
        // The 48 data bytes close the file (bin 8 header 0xc4 0x30 before them): AfterOnePush in row order.
        Assert.Equal((0xC4, 48), (bytes[^50], bytes[^49]));
        Assert.Equal(SgdTable.AfterOnePush, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(bytes.Length - 48)).ToArray());
    }

    [Fact]
    public async Task Checkpoint_reports_the_shards_written()
    {
        var model = await PushedModel();

        var result = await Run(["checkpoint", "--model", model, .. Cluster]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Equal($"checkpointed 2 shard(s) of model {model}", result.Out.Trim());
    }

    [Fact]
    public async Task An_unknown_model_or_table_exits_with_NotFound()
    {
        var model = await PushedModel();
        var path = Path.Combine(_directory, "x.npy");

        AssertFailure(await Run(["checkpoint", "--model", Tables.UniqueName("absent"), .. Cluster]), ExitCodes.NotFound, "absent");
        AssertFailure(await Run(["pull", "--model", model, "--table", "v", "--out", path, .. Cluster]), ExitCodes.NotFound, "no table 'v'");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Rows_outside_the_table_are_a_usage_error()
    {
        var model = await PushedModel();

        var result = await Run(["pull", "--model", model, "--table", "w", "--rows", "4:9", "--out", Path.Combine(_directory, "x.npy"), .. Cluster]);

        AssertFailure(result, ExitCodes.Usage, "outside table 'w'");
    }

    [Fact]
    public async Task An_unwritable_output_file_exits_with_FileError()
    {
        var model = await PushedModel();

        var result = await Run(["pull", "--model", model, "--table", "w", "--out", Path.Combine(_directory, "missing", "x.npy"), .. Cluster]);

        AssertFailure(result, ExitCodes.FileError, "missing");
    }

    [Fact]
    public async Task Demo_pushes_pulls_and_checks_the_update()
    {
        var name = Tables.UniqueName("demo");

        var result = await Run(["demo", "--model", name, .. Cluster]);

        Assert.Equal(ExitCodes.Ok, result.Code);
        Assert.Contains($"4 shards of {name}/weights", result.Out);
        Assert.Contains("max error 0", result.Out);
        Assert.Contains("checkpointed 5 shards", result.Out); // weights: 1000 rows in shards of 250; bias: 1 row
    }

    /// <summary>A model with ClientClusterTests' table after one push of its gradient; returns its name.</summary>
    private async Task<string> PushedModel()
    {
        await using var client = await fixture.Silo.ConnectAsync();
        var model = await client.CreateModelAsync(SgdTable.Model("cli", ConsistencySpec.Async));
        await model.PushAsync("w", SgdTable.Gradient);
        return model.Name;
    }
}
