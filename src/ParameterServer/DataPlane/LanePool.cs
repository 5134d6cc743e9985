using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ParameterServer.DataPlane;

/// <summary>
/// The lanes of one client to one endpoint: at most <see cref="LaneClientOptions.LanesPerEndpoint"/>, each carrying
/// one request at a time. Lanes connect on first use and are replaced when they break.
/// </summary>
internal sealed class LanePool : IDisposable
{
    private readonly EndPoint _endpoint;
    private readonly LaneClientOptions _options;
    private readonly SemaphoreSlim _permits;
    // Last in, first out: the lanes in use stay warm, extra ones idle.
    private readonly ConcurrentStack<Lane> _idle = new();
    private volatile bool _disposed;

    public LanePool(EndPoint endpoint, LaneClientOptions options)
    {
        _endpoint = endpoint;
        _options = options;
        _permits = new SemaphoreSlim(options.LanesPerEndpoint, options.LanesPerEndpoint);
    }

    /// <summary>A connected lane for one request; give it back with <see cref="Release"/>.</summary>
    public async ValueTask<Lane> AcquireAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _permits.WaitAsync(ct);
        try
        {
            while (_idle.TryPop(out var lane))
            {
                if (lane.IsOpen)
                    return lane;
                lane.Dispose(); // closed by the server while idle (restart, last error frame): connect anew
            }
            return await ConnectAsync(ct);
        }
        catch
        {
            _permits.Release();
            throw;
        }
    }

    /// <summary>Gives a lane back; one whose exchange broke off is closed, since its stream position is unknown.</summary>
    public void Release(Lane lane, bool reusable)
    {
        if (reusable)
            _idle.Push(lane);
        else
            lane.Dispose();
        if (_disposed)
            CloseIdle();
        _permits.Release();
    }

    public void Dispose()
    {
        _disposed = true;
        CloseIdle();
    }

    private void CloseIdle()
    {
        while (_idle.TryPop(out var lane))
            lane.Dispose();
    }

    private async ValueTask<Lane> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.ConnectTimeout);
            await socket.ConnectAsync(_endpoint, timeout.Token);
            return new Lane(socket, _options.MaxPayloadBytes);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
