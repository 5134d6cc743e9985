using ParameterServer.Kernels.Devices;

namespace ParameterServer.Workers.Models;

/// <summary>
/// One named parameter of a model, a rows x cols row-major table on the device (PyTorch's layout: a weight is
/// out x in, a bias 1 x out), with its gradient beside it. Each becomes one parameter-server table of the same name
/// and shape: a parameter cache fills <see cref="Value"/> from pulled rows and pushes <see cref="Gradient"/>.
/// Example: <c>device.CopyToDevice(pulledRows, table.Value, firstRow * table.Cols);</c>
/// </summary>
public sealed class ParameterTable : IDisposable
{
    public ParameterTable(IDevice device, string name, int rows, int cols)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        Name = name;
        Rows = rows;
        Cols = cols;
        Value = device.Allocate<float>(Length);
        Gradient = device.Allocate<float>(Length);
    }

    /// <summary>"{layer}.weight" or "{layer}.bias", e.g. "fc1.weight".</summary>
    public string Name { get; }

    public int Rows { get; }

    public int Cols { get; }

    public long Length => (long)Rows * Cols;

    public DeviceBuffer<float> Value { get; }

    /// <summary>d(mean loss of the last batch)/d(value), written (not accumulated) by each backward pass.</summary>
    public DeviceBuffer<float> Gradient { get; }

    public void Dispose()
    {
        Value.Dispose();
        Gradient.Dispose();
    }

    public override string ToString() => $"{Name} [{Rows} x {Cols}]";
}
