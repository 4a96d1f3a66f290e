using System.Net.Sockets;

namespace HybridOps.Lab;

/// <summary>Whether a server of a lab host accepts TCP connections yet (a connect from this machine over the bridge).</summary>
internal static class PortProbe
{
    public static async Task<bool> AcceptsAsync(string host, int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }
}
