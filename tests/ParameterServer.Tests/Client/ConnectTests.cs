using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ParameterServer.Client;
using ParameterServer.Contracts;
using Xunit;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Tests.Client;

/// <summary>A cluster that cannot be reached is reported as such, within the connect timeout.</summary>
public sealed class ConnectTests
{
    [Fact]
    public async Task No_silo_on_the_gateway_port_is_Unavailable_within_the_timeout()
    {
        var options = new ConnectionOptions { GatewayPort = FreePort(), ConnectTimeout = TimeSpan.FromSeconds(1) };
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => ParameterServerClient.ConnectAsync(options));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Contains($"localhost gateway port {options.GatewayPort}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        // Generous: the bound is about not hanging, not about speed.
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData(ClusteringKind.Localhost, 0, null, 1.0)]
    [InlineData(ClusteringKind.Azure, 30000, null, 1.0)]
    [InlineData(ClusteringKind.Localhost, 30000, null, 0.0)]
    public async Task Options_that_describe_no_cluster_are_refused_before_connecting(ClusteringKind clustering, int port, string? connectionString, double timeoutSeconds)
    {
        var options = new ConnectionOptions
        {
            Clustering = clustering, GatewayPort = port, ConnectionString = connectionString, ConnectTimeout = TimeSpan.FromSeconds(timeoutSeconds),
        };

        var error = await Assert.ThrowsAsync<ParameterServerException>(() => ParameterServerClient.ConnectAsync(options));

        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
    }

    /// <summary>A port nothing listens on: bound once by the OS, then released.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
