using System.Text.Json.Nodes;

namespace HybridOps.Lab;

/// <summary>
/// Tiny typed client for etcd /health and Patroni's REST API of the lab's hosts. Short timeouts: they
/// are on this machine's bridge, and a member that does not answer within 2 s is reported as unreachable.
/// </summary>
internal static class LabHttp
{
    // One shared client (sockets are pooled); proxies off: the lab's hosts are never reached through one.
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(1),
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>True when etcd answers {"health":"true"}.</summary>
    public static async Task<bool> EtcdHealthyAsync(string clientUrl, CancellationToken ct)
    {
        var json = await TryGetJsonAsync(new Uri($"{clientUrl}/health"), ct);
        return json?["health"] is JsonValue health && health.ToString() == "true";
    }

    /// <summary>True when an https etcd, verified against the CA in <paramref name="caFile"/>, answers {"health":"true"}.</summary>
    public static async Task<bool> EtcdHealthyAsync(string clientUrl, string caFile, CancellationToken ct)
    {
        try
        {
            using var ca = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(caFile);
            using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) };
            handler.SslOptions.RemoteCertificateValidationCallback = Postgres.Tls.CaTrust.Callback(ca);
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
            var body = await client.GetStringAsync(new Uri($"{clientUrl}/health"), ct);
            return JsonNode.Parse(body)?["health"]?.ToString() == "true";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or IOException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Asks each member's API in turn for /cluster (any live Patroni knows the whole cluster) and
    /// then the leader's /patroni for its replication list. Null when no member answers.
    /// </summary>
    public static async Task<LabClusterView?> TryGetClusterAsync(IEnumerable<LabMember> members, CancellationToken ct)
    {
        foreach (var member in members)
        {
            var cluster = await TryGetJsonAsync(new Uri($"{member.ApiUrl}/cluster"), ct);
            if (cluster?["members"] is not JsonArray array)
            {
                continue;
            }

            var leaderApi = array.FirstOrDefault(m => (string?)m?["role"] == "leader")?["api_url"];
            var streaming = leaderApi is null
                ? new HashSet<string>()
                : await StreamingReplicasAsync(new Uri((string)leaderApi!), ct);
            return LabClusterView.Parse(cluster, streaming, member.ApiUrl);
        }

        return null;
    }

    /// <summary>True when the member's own Patroni answers GET /patroni (not just a stale DCS entry about it).</summary>
    public static async Task<bool> PatroniAnswersAsync(LabMember member, CancellationToken ct) =>
        await TryGetJsonAsync(new Uri($"{member.ApiUrl}/patroni"), ct) is JsonObject;

    private static async Task<HashSet<string>> StreamingReplicasAsync(Uri leaderPatroniUrl, CancellationToken ct)
    {
        var status = await TryGetJsonAsync(leaderPatroniUrl, ct);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in status?["replication"]?.AsArray() ?? [])
        {
            if ((string?)row?["state"] == "streaming" && (string?)row?["application_name"] is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static async Task<JsonNode?> TryGetJsonAsync(Uri url, CancellationToken ct)
    {
        try
        {
            // Patroni answers 503 on /patroni-style health endpoints while still returning JSON; accept any status.
            using var response = await Client.GetAsync(url, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return JsonNode.Parse(body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                                   && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
