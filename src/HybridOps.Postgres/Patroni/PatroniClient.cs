using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Postgres.Patroni;

/// <summary>
/// Typed access to Patroni's REST API. Unreachable APIs become HYO4001 (connectivity), never a raw
/// HttpRequestException, so callers can tell connectivity from configuration failures.
/// </summary>
public sealed class PatroniClient(HttpClient http)
{
    public static PatroniClient Create(TimeSpan timeout) => new(new HttpClient { Timeout = timeout });

    public async Task<PatroniCluster> GetClusterAsync(string apiUrl, CancellationToken cancellationToken) =>
        await SendAsync(apiUrl, cancellationToken, async () => await http.GetFromJsonAsync(Combine(apiUrl, "cluster"), HttpJsonContext.Default.PatroniCluster, cancellationToken)
            ?? throw new InvalidDataException("empty /cluster response"));

    /// <summary>Tries every API URL in turn; the first that answers wins. All down: HYO4001 naming each.</summary>
    public async Task<(PatroniCluster Cluster, string ApiUrl)> GetClusterFromAnyAsync(IEnumerable<string> apiUrls, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var url in apiUrls)
        {
            try
            {
                return (await GetClusterAsync(url, cancellationToken), url);
            }
            catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
            {
                failures.Add($"{url} ({ex.Diagnostics[0].Message})");
            }
        }

        throw HyopsException.From(DiagnosticCatalog.PatroniUnreachable, $"no Patroni REST API answered: {string.Join("; ", failures)}");
    }

    public async Task<JsonObject> GetConfigAsync(string apiUrl, CancellationToken cancellationToken) =>
        await SendAsync(apiUrl, cancellationToken, async () => (await http.GetFromJsonAsync(Combine(apiUrl, "config"), HttpJsonContext.Default.JsonObject, cancellationToken)) ?? new JsonObject());

    /// <summary>GET /patroni: the member's own status (state, role, timeline, and on a leader its replication list).</summary>
    public async Task<JsonObject> GetStatusAsync(string apiUrl, CancellationToken cancellationToken) =>
        await SendAsync(apiUrl, cancellationToken, async () =>
        {
            // Patroni answers 503 with a JSON body when the member is not running: read the body either way.
            using var response = await http.GetAsync(Combine(apiUrl, "patroni"), cancellationToken);
            return (await response.Content.ReadFromJsonAsync(HttpJsonContext.Default.JsonObject, cancellationToken)) ?? new JsonObject();
        });

    /// <summary>PATCH /config: change DCS-wide settings (parameters, pg_hba) the way Patroni wants them changed.</summary>
    public async Task<JsonObject> PatchConfigAsync(string apiUrl, JsonObject patch, CancellationToken cancellationToken) =>
        await SendAsync(apiUrl, cancellationToken, async () =>
        {
            using var content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await http.PatchAsync(Combine(apiUrl, "config"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync(HttpJsonContext.Default.JsonObject, cancellationToken)) ?? new JsonObject();
        });

    /// <summary>POST /restart: Patroni restarts this member's PostgreSQL (applying parameters that need a restart) and answers when done.</summary>
    public async Task RestartAsync(string apiUrl, CancellationToken cancellationToken) =>
        await SendAsync(apiUrl, cancellationToken, async () =>
        {
            using var content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(Combine(apiUrl, "restart"), content, cancellationToken);
            response.EnsureSuccessStatusCode();
            return true;
        });

    private static Uri Combine(string apiUrl, string path)
    {
        var baseUrl = apiUrl.EndsWith("/patroni", StringComparison.Ordinal) ? apiUrl[..^"/patroni".Length] : apiUrl.TrimEnd('/');
        return new Uri($"{baseUrl}/{path}");
    }

    private static async Task<T> SendAsync<T>(string apiUrl, CancellationToken callerToken, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.PatroniUnreachable, $"Patroni REST API {apiUrl} unreachable: {ex.Message}");
        }
        catch (TaskCanceledException) when (!callerToken.IsCancellationRequested)
        {
            // HttpClient.Timeout elapsed (its own token is the cancelled one): a host that does not answer.
            throw HyopsException.From(DiagnosticCatalog.PatroniUnreachable, $"Patroni REST API {apiUrl} timed out");
        }
    }
}
