using System.Reflection;
using System.Runtime.InteropServices;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// Finds the CUDA driver and cuBLAS on a machine whose names ILGPU 1.5.3 does not know. ILGPU imports the driver as
/// "cuda" (probed as libcuda.so, which only the -dev package provides) and cuBLAS as libcublas.so.10-12, while a
/// CUDA 13 machine has libcuda.so.1 and libcublas.so.13, the latter often only inside the pip wheel nvidia-cublas.
/// One resolver on ILGPU's assembly, installed once; our own cuBLAS calls bind to <see cref="Cublas"/>.
/// </summary>
internal static class CudaLibraries
{
    /// <summary>A path to libcublas.so.N, or to the folder holding it, tried before every other place.</summary>
    public const string CublasPathVariable = "PS_CUBLAS_PATH";

    private static readonly string[] _driverNames = ["libcuda.so.1", "libcuda.so"];
    private static readonly int[] _cublasMajors = [13, 12, 11];
    private static readonly Lazy<(IntPtr Handle, string? Path)> _cublas = new(LoadCublas);
    private static int _installed;

    /// <summary>The loaded cuBLAS library, or zero when none was found.</summary>
    public static IntPtr Cublas => _cublas.Value.Handle;

    /// <summary>Where cuBLAS was loaded from (for reports), or null.</summary>
    public static string? CublasPath => _cublas.Value.Path;

    public static void InstallResolver()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(ILGPU.Context).Assembly, Resolve);
    }

    /// <summary>True when the CUDA driver library can be loaded at all: no driver means no CUDA device, quickly.</summary>
    public static bool HasDriver() => LoadFirst(_driverNames) != IntPtr.Zero;

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name is "cuda" or "nvcuda" || name.StartsWith("libcuda.so", StringComparison.Ordinal)) return LoadFirst(_driverNames);
        if (name.Contains("cublas", StringComparison.Ordinal)) return Cublas;
        return IntPtr.Zero;
    }

    private static IntPtr LoadFirst(IEnumerable<string> names)
    {
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out var handle)) return handle;
        return IntPtr.Zero;
    }

    private static (IntPtr, string?) LoadCublas()
    {
        foreach (var path in CublasCandidates())
        {
            // cuBLAS needs cuBLASLt of the same release; load it first from the same folder, which also covers
            // wheels whose libraries carry no RUNPATH.
            var folder = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder))
            {
                var lt = Path.Combine(folder, Path.GetFileName(path).Replace("libcublas.", "libcublasLt.", StringComparison.Ordinal));
                if (File.Exists(lt)) NativeLibrary.TryLoad(lt, out _);
            }
            if (NativeLibrary.TryLoad(path, out var handle)) return (handle, path);
        }
        return (IntPtr.Zero, null);
    }

    /// <summary>The environment variable's path, the loader's search path, CUDA toolkits, then pip wheels (nvidia/cublas/lib, nvidia/cu13/lib).</summary>
    private static IEnumerable<string> CublasCandidates()
    {
        var fileNames = _cublasMajors.Select(major => $"libcublas.so.{major}").ToArray();
        var configured = Environment.GetEnvironmentVariable(CublasPathVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (Directory.Exists(configured))
                foreach (var fileName in fileNames) yield return Path.Combine(configured, fileName);
            else yield return configured;
        }
        foreach (var fileName in fileNames) yield return fileName;
        foreach (var folder in SearchFolders())
            foreach (var fileName in fileNames)
            {
                var path = Path.Combine(folder, fileName);
                if (File.Exists(path)) yield return path;
            }
    }

    private static IEnumerable<string> SearchFolders()
    {
        foreach (var toolkit in Glob("/usr/local", "cuda*")) yield return Path.Combine(toolkit, "lib64");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] roots = ["/usr/local/lib", "/usr/lib", Path.Combine(home, ".local/lib"), "/opt/conda/lib"];
        foreach (var python in roots.SelectMany(root => Glob(root, "python3*")))
            foreach (var packages in new[] { "site-packages", "dist-packages" })
                foreach (var lib in Glob(Path.Combine(python, packages, "nvidia"), "*").Select(d => Path.Combine(d, "lib")))
                    yield return lib;
    }

    private static IEnumerable<string> Glob(string folder, string pattern) =>
        Directory.Exists(folder) ? Directory.EnumerateDirectories(folder, pattern) : [];
}
