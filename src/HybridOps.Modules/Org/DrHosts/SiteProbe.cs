using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace HybridOps.Modules.Org.DrHosts;

/// <summary>Probes of a site's servers from this machine: etcd /health and whether host:port accepts a connection.</summary>
internal static class SiteProbe
{
    // A site's own servers are never reached through a proxy; a DCS that needs more than 2 s is not healthy.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>True when etcd at <paramref name="clientUrl"/> answers {"health":"true"}.</summary>
    public static async Task<bool> EtcdHealthyAsync(string clientUrl, CancellationToken ct)
    {
        try
        {
            var body = await Http.GetStringAsync(new Uri($"{clientUrl.TrimEnd('/')}/health"), ct);
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
