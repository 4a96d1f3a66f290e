using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HybridOps.Postgres.Dns;

/// <summary>A PowerDNS API call that failed: unreachable (no HTTP status) or refused (HTTP status set).</summary>
public sealed class PowerDnsException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public bool Unreachable => Status is null;
}

/// <summary>
/// The PowerDNS Authoritative HTTP API (v1), the few calls hyops needs: read a zone's rrsets, create a
/// zone, replace one rrset. The API key travels in the X-API-Key header only; it is never logged.
/// Every failure is a <see cref="PowerDnsException"/>, so callers can map it to their own diagnostic.
/// </summary>
public sealed class PowerDnsClient(HttpClient http, string apiUrl, string serverId, string apiKey)
{
    public static PowerDnsClient Create(string apiUrl, string serverId, string apiKey, TimeSpan timeout) =>
        new(new HttpClient { Timeout = timeout }, apiUrl, serverId, apiKey);

    public string ApiUrl { get; } = apiUrl.TrimEnd('/');

    private string ZonesUrl => $"{ApiUrl}/api/v1/servers/{Uri.EscapeDataString(serverId)}/zones";

    private string ZoneUrl(string zone) => $"{ZonesUrl}/{Uri.EscapeDataString(Canonical(zone))}";

    /// <summary>The zone document with its rrsets, or null when the zone does not exist.</summary>
    public async Task<JsonObject?> GetZoneAsync(string zone, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, ZoneUrl(zone)), ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity)
        {
            return null;
        }

        await EnsureAsync(response, $"GET zone {zone}", ct);
        return await response.Content.ReadFromJsonAsync(HttpJsonContext.Default.JsonObject, ct);
    }

    /// <summary>The contents of the rrset name/type, empty when absent; null when the zone is absent.</summary>
    public async Task<IReadOnlyList<string>?> GetRecordsAsync(string zone, string name, string type, CancellationToken ct)
    {
        var doc = await GetZoneAsync(zone, ct);
        if (doc is null)
        {
            return null;
        }

        var rrset = (doc["rrsets"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(r =>
            string.Equals(r["name"]?.GetValue<string>(), Canonical(name), StringComparison.OrdinalIgnoreCase)
            && string.Equals(r["type"]?.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase));
        return rrset?["records"] is JsonArray records
            ? [.. records.OfType<JsonObject>().Where(r => r["disabled"]?.GetValue<bool>() != true).Select(r => r["content"]!.GetValue<string>())]
            : [];
    }

    /// <summary>Creates a Native zone with the given nameservers (PowerDNS adds the SOA) and initial A rrsets.</summary>
    public async Task CreateZoneAsync(string zone, IReadOnlyList<string> nameservers, IReadOnlyDictionary<string, string> aRecords, int ttl, CancellationToken ct)
    {
        var rrsets = new JsonArray();
        foreach (var (name, address) in aRecords)
        {
            rrsets.Add((JsonNode)RrSet(name, "A", ttl, [address]));
        }

        var body = new JsonObject
        {
            ["name"] = Canonical(zone),
            ["kind"] = "Native",
            ["nameservers"] = new JsonArray([.. nameservers.Select(n => (JsonNode)JsonValue.Create(Canonical(n)))]),
            ["rrsets"] = rrsets,
        };
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, ZonesUrl) { Content = JsonContent.Create(body, HttpJsonContext.Default.JsonObject) }, ct);
        await EnsureAsync(response, $"create zone {zone}", ct);
    }

    /// <summary>Replaces the rrset name/type with <paramref name="contents"/> (PATCH changetype REPLACE).</summary>
    public async Task ReplaceRrsetAsync(string zone, string name, string type, int ttl, IReadOnlyList<string> contents, CancellationToken ct)
    {
        var body = new JsonObject { ["rrsets"] = new JsonArray(RrSet(name, type, ttl, contents)) };
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Patch, ZoneUrl(zone)) { Content = JsonContent.Create(body, HttpJsonContext.Default.JsonObject) }, ct);
        await EnsureAsync(response, $"PATCH {name} {type} in {zone}", ct);
    }

    public static string Canonical(string name) => name.EndsWith('.') ? name : name + ".";

    private static JsonObject RrSet(string name, string type, int ttl, IReadOnlyList<string> contents) => new()
    {
        ["name"] = Canonical(name),
        ["type"] = type,
        ["ttl"] = ttl,
        ["changetype"] = "REPLACE",
        ["records"] = new JsonArray([.. contents.Select(c => (JsonNode)new JsonObject { ["content"] = c, ["disabled"] = false })]),
    };

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Add("X-API-Key", apiKey);
        try
        {
            return await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new PowerDnsException($"PowerDNS API {ApiUrl} unreachable: {ex.Message}", null, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new PowerDnsException($"PowerDNS API {ApiUrl} did not answer within {http.Timeout.TotalSeconds:0.#}s", null, ex);
        }
        finally
        {
            request.Dispose();
        }
    }

    private async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        throw new PowerDnsException($"PowerDNS API {ApiUrl}: {what} returned HTTP {(int)response.StatusCode}: {text.Trim()[..Math.Min(text.Trim().Length, 300)]}", response.StatusCode);
    }
}
