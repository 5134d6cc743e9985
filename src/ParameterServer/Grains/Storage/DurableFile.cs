using System.Runtime.InteropServices;

namespace ParameterServer.Grains.Storage;

/// <summary>Writes that survive a crash or a power loss: file contents and directory entries flushed to disk.</summary>
internal static partial class DurableFile
{
    /// <summary>Creates <paramref name="path"/> (which must not exist) with <paramref name="bytes"/> and flushes it to disk.</summary>
    public static async Task WriteNewAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await file.WriteAsync(bytes, cancellationToken);
        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Flushes a directory's entries, which makes a rename inside it durable. On Windows a rename is
    /// journaled by NTFS and a directory cannot be opened for flushing, so there is nothing to do.
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;

        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
            throw new IOException($"Cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"Cannot flush directory {directory} to disk (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
