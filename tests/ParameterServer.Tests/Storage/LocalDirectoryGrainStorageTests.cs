using Microsoft.Extensions.Logging;
using Orleans.Storage;
using ParameterServer.Contracts;
using ParameterServer.Grains.Storage;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Storage;

public sealed class LocalDirectoryGrainStorageTests : IDisposable
{
    private const string StateName = "shard";
    private static readonly GrainId _shard = GrainId.Create("shard", "model/table/0");

    private readonly string _root = Directory.CreateTempSubdirectory("ps-checkpoints-").FullName;
    private readonly string _directory;
    private readonly RecordingLogger<LocalDirectoryGrainStorage> _logger = new();
    private readonly LocalDirectoryGrainStorage _storage;

    public LocalDirectoryGrainStorageTests()
    {
        _directory = Path.Combine(_root, "store");
        _storage = NewStorage(_directory);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Creates_its_directory()
    {
        Assert.True(Directory.Exists(_directory));
    }

    [Fact]
    public async Task Reads_nothing_before_the_first_write()
    {
        var state = await ReadAsync();

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task Round_trips_a_state_bit_exact()
    {
        var written = await WriteAsync(TestShardState.Create(seed: 31, length: 50_000, version: 9));

        var read = await ReadAsync();

        Assert.True(written.RecordExists);
        Assert.True(read.RecordExists);
        Assert.NotNull(read.ETag);
        Assert.Equal(written.ETag, read.ETag);
        TestShardState.AssertBitExact(written.State, read.State);
    }

    [Fact]
    public async Task The_ETag_is_the_checksum_of_the_stored_payload()
    {
        var state = await WriteAsync(TestShardState.Create(seed: 41, length: 100, version: 1));

        var payload = File.ReadAllBytes(PathOf(".ckpt"))[CheckpointEnvelope.HeaderSize..];

        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(payload).ToString("x16"), state.ETag);
    }

    [Fact]
    public async Task Leaves_only_the_current_and_previous_checkpoints_and_the_lock()
    {
        var state = await WriteAsync(TestShardState.Create(seed: 32, length: 100, version: 1));
        for (var version = 2; version <= 4; version++)
        {
            state.State = TestShardState.Create(seed: 32, length: 100, version: version);
            await _storage.WriteStateAsync(StateName, _shard, state);
        }

        var names = Directory.GetFiles(_directory).Select(f => Path.GetFileName(f)).Order().ToArray();

        Assert.Equal(["shard-shard%2Fmodel%2Ftable%2F0.ckpt", "shard-shard%2Fmodel%2Ftable%2F0.ckpt.prev", "shard-shard%2Fmodel%2Ftable%2F0.lock"], names);
        Assert.Equal(4, ReadFile(".ckpt").Version);
        Assert.Equal(3, ReadFile(".ckpt.prev").Version);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public async Task Loads_the_previous_checkpoint_with_a_warning_when_the_current_one_is_damaged(string damage)
    {
        var state = await WriteAsync(TestShardState.Create(seed: 33, length: 1000, version: 1));
        var previous = state.ETag;
        state.State = TestShardState.Create(seed: 33, length: 1000, version: 2);
        await _storage.WriteStateAsync(StateName, _shard, state);

        Damage(PathOf(".ckpt"), damage);
        var read = await ReadAsync();

        TestShardState.AssertBitExact(TestShardState.Create(seed: 33, length: 1000, version: 1), read.State);
        Assert.Equal(previous, read.ETag);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(PathOf(".ckpt")));
    }

    [Fact]
    public async Task A_write_after_falling_back_replaces_the_damaged_checkpoint_and_keeps_the_good_previous_one()
    {
        var state = await WriteAsync(TestShardState.Create(seed: 34, length: 100, version: 1));
        state.State = TestShardState.Create(seed: 34, length: 100, version: 2);
        await _storage.WriteStateAsync(StateName, _shard, state);
        Damage(PathOf(".ckpt"), "flip");

        var read = await ReadAsync();
        read.State!.Version = 3;
        await _storage.WriteStateAsync(StateName, _shard, read);

        Assert.Equal(3, ReadFile(".ckpt").Version);
        Assert.Equal(1, ReadFile(".ckpt.prev").Version);
    }

    [Fact]
    public async Task Reading_throws_CorruptCheckpoint_when_both_checkpoints_are_damaged()
    {
        var state = await WriteAsync(TestShardState.Create(seed: 35, length: 100, version: 1));
        await _storage.WriteStateAsync(StateName, _shard, state);
        Damage(PathOf(".ckpt"), "flip");
        Damage(PathOf(".ckpt.prev"), "truncate");

        var e = await Assert.ThrowsAsync<ParameterServerException>(ReadAsync);

        Assert.Equal(ErrorCode.CorruptCheckpoint, e.Code);
        Assert.Contains("no good checkpoint", e.Message);
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task A_write_based_on_a_stale_ETag_throws_InconsistentStateException_and_changes_nothing()
    {
        await WriteAsync(TestShardState.Create(seed: 36, length: 100, version: 1));
        var first = await ReadAsync();
        var second = await ReadAsync();
        second.State!.Version = 2;
        await _storage.WriteStateAsync(StateName, _shard, second);

        first.State!.Version = 99;
        var staleETag = first.ETag;
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, _shard, first));

        Assert.Equal(staleETag, first.ETag);
        Assert.Equal(2, (await ReadAsync()).State!.Version);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task A_first_write_over_an_existing_checkpoint_throws_InconsistentStateException()
    {
        await WriteAsync(TestShardState.Create(seed: 37, length: 100, version: 1));

        await Assert.ThrowsAsync<InconsistentStateException>(() => WriteAsync(TestShardState.Create(seed: 37, length: 100, version: 2)));
    }

    [Fact]
    public async Task Of_concurrent_writers_with_the_same_ETag_exactly_one_succeeds()
    {
        var writes = Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => WriteAsync(TestShardState.Create(seed: 38, length: 100_000, version: i))))
            .ToArray();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return "written";
            }
            catch (InconsistentStateException)
            {
                return "conflict";
            }
        }));

        Assert.Single(outcomes, o => o == "written");
        Assert.Equal(7, outcomes.Count(o => o == "conflict"));
    }

    [Fact]
    public async Task A_write_waits_for_the_grain_lock_and_gives_up_after_the_lock_timeout()
    {
        var options = new LocalCheckpointStorageOptions { Directory = _directory, LockTimeout = TimeSpan.FromMilliseconds(300) };
        var storage = new LocalDirectoryGrainStorage("checkpoints", options, new CheckpointSerializer(), _logger);
        var state = new GrainState<TestShardState>(TestShardState.Create(seed: 42, length: 10, version: 1));

        using (new FileStream(PathOf(".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = await Assert.ThrowsAsync<IOException>(() => storage.WriteStateAsync(StateName, _shard, state));
            Assert.Contains("held the checkpoint lock", e.Message);
            Assert.False(File.Exists(PathOf(".ckpt")));
        }

        await storage.WriteStateAsync(StateName, _shard, state);
        Assert.True(File.Exists(PathOf(".ckpt")));
    }

    [Fact]
    public async Task Clear_deletes_the_checkpoints()
    {
        var state = await WriteAsync(TestShardState.Create(seed: 39, length: 100, version: 1));
        await _storage.WriteStateAsync(StateName, _shard, state);

        await _storage.ClearStateAsync(StateName, _shard, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.False(File.Exists(PathOf(".ckpt")));
        Assert.False(File.Exists(PathOf(".ckpt.prev")));
        Assert.False((await ReadAsync()).RecordExists);
    }

    [Fact]
    public async Task Clear_with_a_stale_ETag_throws_InconsistentStateException_and_keeps_the_checkpoint()
    {
        var stale = await WriteAsync(TestShardState.Create(seed: 40, length: 100, version: 1));
        var fresh = await ReadAsync();
        fresh.State!.Version = 2;
        await _storage.WriteStateAsync(StateName, _shard, fresh);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, _shard, stale));

        Assert.True((await ReadAsync()).RecordExists);
    }

    [Fact]
    public async Task Grain_keys_cannot_leave_the_directory_and_distinct_keys_get_distinct_files()
    {
        string[] keys = ["../../escape", "a/b", "a%2Fb", "a\\b", new string('x', 1000), new string('x', 999) + "y"];
        for (var i = 0; i < keys.Length; i++)
            await _storage.WriteStateAsync(StateName, GrainId.Create("shard", keys[i]), new GrainState<TestShardState>(new TestShardState { Version = i }));

        for (var i = 0; i < keys.Length; i++)
        {
            var read = new GrainState<TestShardState>();
            await _storage.ReadStateAsync(StateName, GrainId.Create("shard", keys[i]), read);
            Assert.Equal(i, read.State!.Version);
        }

        Assert.Equal(["store"], Directory.GetFileSystemEntries(_root).Select(f => Path.GetFileName(f)));
        Assert.Equal(keys.Length * 2, Directory.GetFiles(_directory).Length);
        Assert.All(Directory.GetFiles(_directory), f => Assert.True(Path.GetFileName(f).Length < 200, f));
    }

    private LocalDirectoryGrainStorage NewStorage(string directory) =>
        new("checkpoints", new LocalCheckpointStorageOptions { Directory = directory }, new CheckpointSerializer(), _logger);

    private async Task<GrainState<TestShardState>> WriteAsync(TestShardState value)
    {
        var state = new GrainState<TestShardState>(value);
        await _storage.WriteStateAsync(StateName, _shard, state);
        return state;
    }

    private async Task<GrainState<TestShardState>> ReadAsync()
    {
        var state = new GrainState<TestShardState>(new TestShardState());
        await _storage.ReadStateAsync(StateName, _shard, state);
        return state;
    }

    private string PathOf(string suffix) => Path.Combine(_directory, "shard-shard%2Fmodel%2Ftable%2F0" + suffix);

    private TestShardState ReadFile(string suffix) =>
        new CheckpointSerializer().Deserialize<TestShardState>(new BinaryData(File.ReadAllBytes(PathOf(suffix))));

    private static void Damage(string path, string how)
    {
        var bytes = File.ReadAllBytes(path);
        switch (how)
        {
            case "flip":
                bytes[bytes.Length / 2] ^= 0xff;
                File.WriteAllBytes(path, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
        }
    }
}
