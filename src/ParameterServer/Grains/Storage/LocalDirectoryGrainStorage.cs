using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Grains.Storage;

/// <summary>
/// The embedded checkpoint store: each grain state is a file in a local (or shared) directory, written
/// through <see cref="CheckpointSerializer"/>.
/// <list type="bullet">
/// <item>A write is atomic: a temporary file in the same directory, flushed to disk, renamed over the current
/// checkpoint, whose predecessor is kept as the previous checkpoint.</item>
/// <item>A read verifies the checksum; when the current checkpoint is damaged it logs a warning and loads the
/// previous one, and when no good checkpoint is left it throws <see cref="ErrorCode.CorruptCheckpoint"/>.</item>
/// <item>The ETag is the checksum of the stored checkpoint; a write or clear whose ETag differs from the stored
/// one throws <see cref="InconsistentStateException"/>. Equal ETags mean byte-identical checkpoints, so a write
/// that passes the check is based on exactly the stored state. A per-grain lock file makes the check and the
/// rename one step, also between silo processes that share the directory.</item>
/// </list>
/// </summary>
public sealed partial class LocalDirectoryGrainStorage : IGrainStorage
{
    private static readonly TimeSpan _lockRetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly string _name;
    private readonly LocalCheckpointStorageOptions _options;
    private readonly CheckpointSerializer _serializer;
    private readonly ILogger<LocalDirectoryGrainStorage> _logger;

    public LocalDirectoryGrainStorage(string name, LocalCheckpointStorageOptions options, CheckpointSerializer serializer,
        ILogger<LocalDirectoryGrainStorage> logger)
    {
        _name = name;
        _options = options;
        _serializer = serializer;
        _logger = logger;
        Directory.CreateDirectory(options.Directory);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        using var stored = await FindLatestGoodAsync(CheckpointFiles.For(_options.Directory, stateName, grainId), cancellationToken);
        if (stored is null)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Decode<T>(stored.Payload);
        grainState.ETag = stored.ETag;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        using var checkpoint = _serializer.Encode(grainState.State, out var checksum);
        var files = CheckpointFiles.For(_options.Directory, stateName, grainId);
        await using (await LockAsync(files, cancellationToken))
        {
            using var stored = await FindLatestGoodAsync(files, cancellationToken);
            ThrowIfConflict(files, stored?.ETag, grainState.ETag);

            var temporary = files.NewTemporary();
            try
            {
                await DurableFile.WriteNewAsync(temporary, checkpoint.WrittenMemory, cancellationToken);
                // Only a good current checkpoint becomes the previous one: a damaged one is replaced and the
                // good previous one kept.
                if (stored?.Path == files.Current)
                    File.Move(files.Current, files.Previous, overwrite: true);
                File.Move(temporary, files.Current, overwrite: true);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            // The new checkpoint is what a read now finds, even if flushing the rename below fails.
            grainState.ETag = ETagOf(checksum);
            grainState.RecordExists = true;
            DurableFile.FlushDirectory(_options.Directory);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var files = CheckpointFiles.For(_options.Directory, stateName, grainId);
        await using (await LockAsync(files, cancellationToken))
        {
            using var stored = await FindLatestGoodAsync(files, cancellationToken);
            ThrowIfConflict(files, stored?.ETag, grainState.ETag);
            File.Delete(files.Current);
            File.Delete(files.Previous);
            DurableFile.FlushDirectory(_options.Directory);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>
    /// The newest checkpoint that passes its checks (current, else previous), or null when there is none;
    /// throws <see cref="ErrorCode.CorruptCheckpoint"/> when checkpoints exist but none is good.
    /// </summary>
    private async Task<StoredCheckpoint?> FindLatestGoodAsync(CheckpointFiles files, CancellationToken cancellationToken)
    {
        string? damage = null;
        string[] newestFirst = [files.Current, files.Previous];
        foreach (var path in newestFirst)
        {
            // A current checkpoint is missing only after a crash between the two renames of a write.
            var bytes = await ReadIfExistsAsync(path, cancellationToken);
            if (bytes is null)
                continue;

            try
            {
                var payload = CheckpointEnvelope.Open(bytes.WrittenMemory, out var checksum);
                return new StoredCheckpoint(path, bytes, payload, ETagOf(checksum));
            }
            catch (ParameterServerException e) when (e.Code == ErrorCode.CorruptCheckpoint)
            {
                bytes.Dispose();
                LogDamaged(_name, path, e.Message);
                damage = damage is null ? $"{path}: {e.Message}" : $"{damage} {path}: {e.Message}";
            }
        }

        return damage is null ? null : throw new ParameterServerException(ErrorCode.CorruptCheckpoint,
            $"Checkpoint storage '{_name}' holds no good checkpoint, only damaged ones. {damage}");
    }

    /// <summary>The whole file in a pooled buffer, or null when there is no such file.</summary>
    private static async Task<PooledBufferWriter?> ReadIfExistsAsync(string path, CancellationToken cancellationToken)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        using (file)
        {
            var length = checked((int)RandomAccess.GetLength(file));
            var buffer = new PooledBufferWriter(length);
            try
            {
                while (buffer.WrittenCount < length)
                {
                    var offset = buffer.WrittenCount;
                    var read = await RandomAccess.ReadAsync(file, buffer.GetMemory(length - offset)[..(length - offset)], offset, cancellationToken);
                    if (read == 0)
                        break; // The file shrank; the envelope check reports it as truncated.
                    buffer.Advance(read);
                }

                return buffer;
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
    }

    private static void ThrowIfConflict(CheckpointFiles files, string? storedETag, string? expectedETag)
    {
        if (storedETag != expectedETag)
        {
            throw new InconsistentStateException(
                $"Checkpoint {files.Current} changed since this activation read or wrote it: stored ETag {storedETag ?? "(none)"}, "
                + $"this write expects {expectedETag ?? "(none)"}.", storedETag ?? "", expectedETag ?? "");
        }
    }

    /// <summary>
    /// Takes the grain's lock file exclusively (an OS file lock, so it holds between processes too), retrying
    /// while another writer holds it, up to <see cref="LocalCheckpointStorageOptions.LockTimeout"/>.
    /// </summary>
    private async Task<FileStream> LockAsync(CheckpointFiles files, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(files.Lock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < _options.LockTimeout)
            {
                await Task.Delay(_lockRetryDelay, cancellationToken);
            }
            catch (IOException e)
            {
                throw new IOException($"Another writer has held the checkpoint lock {files.Lock} for more than {_options.LockTimeout}.", e);
            }
        }
    }

    private static string ETagOf(ulong checksum) => checksum.ToString("x16");

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Checkpoint storage '{Storage}': skipping damaged checkpoint {Path}: {Reason}")]
    private partial void LogDamaged(string storage, string path, string reason);

    /// <summary>A verified checkpoint; its payload lives in a pooled buffer until disposed.</summary>
    private sealed class StoredCheckpoint(string path, PooledBufferWriter bytes, ReadOnlyMemory<byte> payload, string eTag) : IDisposable
    {
        public string Path { get; } = path;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public string ETag { get; } = eTag;

        public void Dispose() => bytes.Dispose();
    }
}
