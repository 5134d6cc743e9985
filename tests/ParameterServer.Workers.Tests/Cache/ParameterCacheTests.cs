using ParameterServer.Client;
using ParameterServer.Contracts;
using ParameterServer.Kernels.Devices.Cpu;
using ParameterServer.Kernels.Devices.Cuda;
using ParameterServer.Tests.Cluster;
using ParameterServer.Workers.Cache;
using ParameterServer.Workers.Models;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Workers.Tests.Cache;

/// <summary>
/// The device-resident cache against the TestCluster, on a 6 x 2 table of ones in two shards (rows 0-3 and 4-5) under
/// SGD with lr 0.5, asynchronous (every push is applied at once): every expected value is 1 - 0.5 g, by hand.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ParameterCacheTests(ClusterFixture fixture) : IDisposable
{
    private static readonly TableSpec _table = new()
    {
        Name = "w", Rows = 6, Cols = 2, ShardRows = 4, Initializer = InitializerSpec.Constant(1f), Optimizer = OptimizerSpec.Sgd(0.5f),
    };

    private readonly CpuDevice _device = new(threads: 1);

    [Fact]
    public async Task A_pull_fetches_and_copies_only_the_shards_that_changed()
    {
        var model = await CreateAsync();
        using var parameter = new ParameterTable(_device, "w", 6, 2);
        using var cache = new ParameterCache(model, [parameter], _device);

        Assert.Equal(2, await cache.PullAsync());
        Assert.Equal(2, cache.CopyToDevice());
        Assert.All(Device(parameter.Value), v => Assert.Equal(1f, v));

        // Mark the device values, then change rows 4-5 (shard 1) only: g = [2, -2, 1, 0.5].
        _device.Fill(parameter.Value, 7f, parameter.Length);
        await model.PushAsync("w", new float[] { 2, -2, 1, 0.5f }, rowStart: 4);
        Assert.Equal(1, await cache.PullAsync());
        Assert.Equal(1, cache.CopyToDevice());

        // Shard 0 was not copied again (still marked); shard 1 is 1 - 0.5 g = [0, 2, 0.5, 0.75], at version 1.
        Assert.Equal([7, 7, 7, 7, 7, 7, 7, 7, 0, 2, 0.5f, 0.75f], Device(parameter.Value));
        Assert.Equal((0L, 1L), (cache.Version("w", 0), cache.Version("w", 1)));
        Assert.Equal(0, await cache.PullAsync());
        Assert.Equal(0, cache.CopyToDevice());
    }

    [Theory]
    [InlineData(TensorEncoding.Fp32)]
    [InlineData(TensorEncoding.Bf16)]
    public async Task Staged_gradients_are_pushed_from_their_slot_in_the_cache_encoding(TensorEncoding encoding)
    {
        var model = await CreateAsync();
        using var parameter = new ParameterTable(_device, "w", 6, 2);
        using var cache = new ParameterCache(model, [parameter], _device, encoding);
        // Every gradient value is exact in bf16 (at most 8 significant bits).
        float[] first = [0.25f, -0.5f, 1, 2, 0, 0.125f, 4, -4, 0.5f, 0.75f, -1, 3];
        float[] second = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

        _device.CopyToDevice<float>(first, parameter.Gradient);
        cache.StageGradients(0);
        _device.CopyToDevice<float>(second, parameter.Gradient);
        cache.StageGradients(1);
        // The staged copies are what travels, whatever the device holds by then.
        _device.Fill(parameter.Gradient, 100f, parameter.Length);
        await cache.PushAsync(0, clock: 1);
        await cache.PushAsync(1, clock: 2);

        // w = 1 - 0.5 * first - 0.5 * second = 0.5 - 0.5 * first.
        var server = new float[12];
        await model.PullAsync("w", server);
        Assert.Equal([0.375f, 0.75f, 0, -0.5f, 0.5f, 0.4375f, -1.5f, 2.5f, 0.25f, 0.125f, 1, -1], server);
    }

    [Fact]
    public async Task On_an_ILGPU_device_values_and_gradients_pass_through_page_locked_staging()
    {
        // ILGPU's CPU accelerator runs the CUDA device's code path, page-locked staging included.
        using var gpu = IlgpuDevice.OpenCpuAccelerator();
        var model = await CreateAsync();
        using var parameter = new ParameterTable(gpu, "w", 6, 2);
        using var cache = new ParameterCache(model, [parameter], gpu);
        gpu.CopyToDevice<float>(new float[] { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 }, parameter.Gradient);

        cache.StageGradients(0);
        await cache.PushAsync(0, clock: 1);
        await cache.PullAsync();
        cache.CopyToDevice();

        // w = 1 - 0.5 * 2 = 0 everywhere.
        var values = new float[12];
        gpu.CopyToHost(parameter.Value, values.AsSpan());
        Assert.All(values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public async Task A_layer_table_the_model_lacks_or_shapes_differently_is_refused()
    {
        var model = await CreateAsync();
        using var unknown = new ParameterTable(_device, "v", 6, 2);
        using var wrongShape = new ParameterTable(_device, "w", 3, 4);

        Assert.Equal(ErrorCode.UnknownTable, Assert.Throws<ParameterServerException>(() => new ParameterCache(model, [unknown], _device)).Code);
        Assert.Equal(ErrorCode.SpecMismatch, Assert.Throws<ParameterServerException>(() => new ParameterCache(model, [wrongShape], _device)).Code);
    }

    public void Dispose() => _device.Dispose();

    private Task<ModelHandle> CreateAsync() =>
        new ParameterServerClient(fixture.Cluster.Client).CreateModelAsync(new ModelSpec
        {
            Name = $"cache-{Guid.NewGuid():N}", Tables = [_table], Consistency = ConsistencySpec.Async,
        });

    private float[] Device(Kernels.Devices.DeviceBuffer<float> buffer)
    {
        var values = new float[buffer.Length];
        _device.CopyToHost(buffer, values.AsSpan());
        return values;
    }
}
