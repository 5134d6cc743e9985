using ParameterServer.Kernels.Devices;

namespace ParameterServer.Kernels.Tests.Devices.Cuda;

/// <summary>Seeded inputs, uploads and downloads, and the tolerance check tol + |ref| * eps of every parity test.</summary>
internal static class DeviceData
{
    public static float[] Uniform(int seed, int n, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var values = new float[n];
        for (var i = 0; i < n; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    public static DeviceBuffer<T> Upload<T>(this IDevice device, T[] values) where T : unmanaged
    {
        var buffer = device.Allocate<T>(values.Length);
        device.CopyToDevice<T>(values, buffer);
        return buffer;
    }

    public static T[] Download<T>(this IDevice device, DeviceBuffer<T> buffer) where T : unmanaged
    {
        var values = new T[buffer.Length];
        device.CopyToHost(buffer, values);
        return values;
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tol, float eps)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = tol + Math.Abs(expected[i]) * eps;
            if (!(Math.Abs(expected[i] - actual[i]) <= bound))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R} (bound {bound:G3})");
        }
    }
}
