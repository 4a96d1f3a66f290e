using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace HybridOps.Modules.Org.DrHosts;

/// <summary>Probes of a site's servers from this machine: etcd /health and whether host:port accepts a connection.</summary>
internal static class SiteProbe
{
    /// <summary>True when etcd at <paramref name="clientUrl"/> answers {"health":"true"} (https verified against <paramref name="caFile"/> when given).</summary>
    public static async Task<bool> EtcdHealthyAsync(string clientUrl, string? caFile, CancellationToken ct)
    {
        try
        {
            var body = await Common.EtcdTls.Client(caFile).GetStringAsync(new Uri($"{clientUrl.TrimEnd('/')}/health"), ct);
            return JsonNode.Parse(body)?["health"]?.ToString() == "true";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>True when a server on another host accepts a TCP connection on host:port within 2 s.</summary>
    public static bool Answers(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }
}
