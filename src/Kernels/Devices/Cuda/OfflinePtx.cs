using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace ParameterServer.Kernels.Devices.Cuda;

/// <summary>
/// Compiles every kernel of <see cref="IlgpuDevice"/> to PTX without a GPU or a driver, as ILGPU's CUDA accelerator
/// does when it loads them on a device of the given architecture under the given driver: CI's proof that the GPU
/// path compiles. ILGPU 1.5.3 writes ".target sm_80" for sm_80 and newer (its capability model stops at sm_80)
/// with the newest PTX ISA the driver accepts; the driver compiles that for the actual device when loading.
/// Example: <c>OfflinePtx.Compile(CudaArchitecture.SM_90, CudaDriverVersion.FromMajorMinor(13, 0))</c>
/// </summary>
public static class OfflinePtx
{
    private static readonly Type[] _elementKernels =
        [typeof(ElementwiseKernels), typeof(RowKernels), typeof(EncodingKernels), typeof(UpdateKernels)];

    /// <summary>The PTX module of each kernel, by kernel name ("Relu", ..., "TiledGemm").</summary>
    public static IReadOnlyDictionary<string, string> Compile(CudaArchitecture architecture, CudaDriverVersion driver)
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        var capabilities = new CudaCapabilityContext(architecture);
        var instructionSet = CudaAccelerator.GetInstructionSet(capabilities.TargetArchitecture, driver);
        using var backend = new PTXBackend(context, capabilities, architecture, instructionSet, nvvmAPI: null!);
        var modules = new Dictionary<string, string>();
        foreach (var (name, entry) in Kernels())
        {
            var kernel = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            modules.Add(name, kernel.PTXAssembly);
        }
        return modules;
    }

    /// <summary>The element kernels are the static methods indexed by <see cref="Index1D"/>; the GEMM groups itself.</summary>
    private static IEnumerable<(string Name, EntryPointDescription Entry)> Kernels()
    {
        foreach (var type in _elementKernels)
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var parameters = method.GetParameters();
                if (parameters.Length > 0 && parameters[0].ParameterType == typeof(Index1D))
                    yield return (method.Name, EntryPointDescription.FromImplicitlyGroupedKernel(method));
            }
        var gemm = typeof(TiledGemm).GetMethod(nameof(TiledGemm.Kernel), BindingFlags.NonPublic | BindingFlags.Static)!;
        yield return (nameof(TiledGemm), EntryPointDescription.FromExplicitlyGroupedKernel(gemm));
    }
}
