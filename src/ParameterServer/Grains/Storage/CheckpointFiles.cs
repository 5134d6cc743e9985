using System.IO.Hashing;
using System.Text;

namespace ParameterServer.Grains.Storage;

/// <summary>
/// The files of one grain state in a checkpoint directory: the current checkpoint, the previous one (kept
/// in case the current one is found damaged) and the lock that writers of this grain take.
/// </summary>
internal readonly record struct CheckpointFiles(string Current, string Previous, string Lock)
{
    // Far below the 255-byte file name limit of common file systems, with room for the suffixes.
    private const int MaxStemLength = 160;

    public static CheckpointFiles For(string directory, string stateName, GrainId grainId)
    {
        var stem = Path.Combine(directory, FileStem($"{stateName}-{grainId}"));
        return new CheckpointFiles($"{stem}.ckpt", $"{stem}.ckpt.prev", $"{stem}.lock");
    }

    /// <summary>A fresh temporary file beside the current checkpoint, so that renaming it over is atomic.</summary>
    public string NewTemporary() => $"{Current}.{Guid.NewGuid():N}.tmp";

    /// <summary>
    /// Keeps ASCII letters, digits, '-', '_' and '.' and writes every other byte of the UTF-8 name as %XX, so
    /// no separator or ".." survives and distinct names stay distinct; a long name is cut and suffixed with
    /// a hash of the whole ('~' cannot come out of the escaping, so a cut name never equals an uncut one).
    /// </summary>
    private static string FileStem(string name)
    {
        var escaped = new StringBuilder(name.Length);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                escaped.Append(c);
            else
                escaped.Append('%').Append(b.ToString("X2"));
        }

        if (escaped.Length <= MaxStemLength)
            return escaped.ToString();
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(name));
        return $"{escaped.ToString(0, MaxStemLength)}~{hash:x16}";
    }
}
