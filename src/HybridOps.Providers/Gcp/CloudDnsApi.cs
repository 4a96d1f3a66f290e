using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// Cloud DNS v1 (dns.googleapis.com/dns/v1): the current record set of a name, and changes.create with
/// additions plus the exact current rrset as deletions (Cloud DNS rejects a deletion that does not match),
/// polled with changes.get until status `done`.
/// </summary>
public sealed class CloudDnsApi(GcpRestClient client)
{
    public GcpRestClient Client => client;

    private string Zone(string zone) => $"dns/v1/projects/{Uri.EscapeDataString(client.Settings.Project)}/managedZones/{Uri.EscapeDataString(zone)}";

    /// <summary>resourceRecordSets.list filtered by name and type: the rrset, or null when there is none.</summary>
    public async Task<JsonObject?> GetRrsetAsync(string zone, string name, string type, CancellationToken ct)
    {
        var list = await client.CallAsync(new GcpCall(HttpMethod.Get, $"{Zone(zone)}/rrsets") { Query = [new("name", name), new("type", type)] }, ct);
        return (list["rrsets"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => r["name"]?.GetValue<string>() == name && r["type"]?.GetValue<string>() == type);
    }

    /// <summary>Replaces name/type with one record: deletes exactly what is there now, adds the new set, waits until done.</summary>
    public async Task<JsonObject> ReplaceAsync(string zone, string name, string type, int ttl, IReadOnlyList<string> rrdatas, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rrdatas);
        var current = await GetRrsetAsync(zone, name, type, ct);
        var change = new JsonObject
        {
            ["additions"] = new JsonArray(new JsonObject
            {
                ["name"] = name, ["type"] = type, ["ttl"] = ttl, ["rrdatas"] = new JsonArray([.. rrdatas.Select(r => (JsonNode?)JsonValue.Create(r))]),
            }),
        };
        if (current is not null)
        {
            change["deletions"] = new JsonArray(current.DeepClone());
        }

        JsonObject created;
        try
        {
            created = await client.CallAsync(new GcpCall(HttpMethod.Post, $"{Zone(zone)}/changes", GcpRetry.Action) { Body = change }, ct);
        }
        catch (GcpApiException ex) when (ex.Diagnostics[0].Code == DiagnosticCatalog.GcpRequestRejected.Code || ex.Diagnostics[0].Code == DiagnosticCatalog.GcpResourceConflict.Code)
        {
            throw HyopsException.From(DiagnosticCatalog.GcpDnsChangeFailed, $"changes.create for {name} {type} in zone {zone}: {ex.Error}");
        }

        var id = created["id"]?.GetValue<string>() ?? "";
        return created["status"]?.GetValue<string>() == "done"
            ? created
            : await GcpPoller.UntilAsync(client, $"Cloud DNS change {id} ({name} {type})",
                c => client.CallAsync(new GcpCall(HttpMethod.Get, $"{Zone(zone)}/changes/{Uri.EscapeDataString(id)}"), c),
                c => c["status"]?.GetValue<string>() == "done", ct);
    }
}
