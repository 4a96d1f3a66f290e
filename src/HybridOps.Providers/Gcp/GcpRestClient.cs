using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using Polly;
using Polly.Timeout;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// The HTTP core shared by the typed API clients: bearer token, named retry policy, JSON in and out,
/// and every failure mapped to a diagnostic that quotes the API's error (HYO8003/8004/8005/8008).
/// </summary>
public sealed class GcpRestClient(string api, HttpClient http, IGcpTokenSource tokens, GcpSettings settings, TimeProvider time)
{
    private readonly ResiliencePipeline<HttpResponseMessage> idempotent = GcpPolicies.Idempotent(settings, time);
    private readonly ResiliencePipeline<HttpResponseMessage> action = GcpPolicies.Action(settings, time);

    /// <summary>"sqladmin", "datamigration" or "dns".</summary>
    public string Api => api;

    public GcpSettings Settings => settings;

    public TimeProvider Time => time;

    /// <summary>Every call made, in order, for the caller's evidence.</summary>
    public List<GcpCallRecord> Calls { get; } = [];

    public async Task<GcpResponse> SendAsync(GcpCall call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = time.GetTimestamp();
        var attempts = 0;
        var what = $"{call.Method} {api} {call.Path}";
        HttpResponseMessage response;
        try
        {
            var token = await tokens.GetAccessTokenAsync(ct);
            var pipeline = call.Retry == GcpRetry.Action ? action : idempotent;
            response = await pipeline.ExecuteAsync(async attemptCt =>
            {
                attempts++;
                using var request = new HttpRequestMessage(call.Method, call.PathAndQuery.TrimStart('/'));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (call.Body is { } body)
                {
                    request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                }

                return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptCt);
            }, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException && !ct.IsCancellationRequested)
        {
            Record(call, 0, attempts, started, ex.GetType().Name);
            throw new GcpApiException(DiagnosticCatalog.GcpApiUnreachable, what, null,
                $"{what}: no answer after {attempts} attempt(s) ({Describe(ex)}); API base {http.BaseAddress}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                Record(call, (int)response.StatusCode, attempts, started, null);
                return new GcpResponse(response.StatusCode, ParseObject(text), null);
            }

            var error = GcpApiError.Parse(response.StatusCode, text);
            Record(call, (int)response.StatusCode, attempts, started, error.Status);
            if (call.Handled.Contains(response.StatusCode))
            {
                return new GcpResponse(response.StatusCode, [], error);
            }

            var descriptor = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => DiagnosticCatalog.GcpPermissionDenied,
                HttpStatusCode.Conflict => DiagnosticCatalog.GcpResourceConflict,
                _ when GcpPolicies.IsTransient(response.StatusCode) => DiagnosticCatalog.GcpApiUnreachable,
                _ => DiagnosticCatalog.GcpRequestRejected,
            };
            throw new GcpApiException(descriptor, what, error, $"{what} (project {settings.Project}, {attempts} attempt(s)): {error}");
        }
    }

    /// <summary>Sends a call the caller expects to succeed and returns its body.</summary>
    public async Task<JsonObject> CallAsync(GcpCall call, CancellationToken ct) => (await SendAsync(call, ct)).Body;

    private void Record(GcpCall call, int status, int attempts, long started, string? error) =>
        Calls.Add(new GcpCallRecord(api, call.Method.Method, call.Path, status, attempts, time.GetElapsedTime(started), error));

    private static JsonObject ParseObject(string text) =>
        string.IsNullOrWhiteSpace(text) ? [] : JsonNode.Parse(text) as JsonObject ?? [];

    private static string Describe(Exception ex) => ex switch
    {
        HttpRequestException h => $"connection {h.HttpRequestError}",
        TimeoutRejectedException => "attempt timed out",
        _ => ex.GetType().Name,
    };
}
