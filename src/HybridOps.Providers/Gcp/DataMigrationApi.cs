using System.Net;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// Database Migration Service v1 (datamigration.googleapis.com/v1): connection profiles and migration
/// jobs under projects/{project}/locations/{region}, job verbs :verify :start :stop :promote, and
/// google.longrunning operations (`done`, `error`, `response`). Creates and deletes carry a requestId,
/// so a retried create is ignored by the server.
/// </summary>
public sealed class DataMigrationApi(GcpRestClient client)
{
    public GcpRestClient Client => client;

    public string Parent => $"projects/{Uri.EscapeDataString(client.Settings.Project)}/locations/{Uri.EscapeDataString(client.Settings.Region)}";

    public string ProfileName(string id) => $"{Parent}/connectionProfiles/{Uri.EscapeDataString(id)}";

    public string JobName(string id) => $"{Parent}/migrationJobs/{Uri.EscapeDataString(id)}";

    public async Task<JsonObject?> GetAsync(string name, CancellationToken ct)
    {
        var response = await client.SendAsync(GcpCall.Get($"v1/{name}"), ct);
        return response.Status == HttpStatusCode.NotFound ? null : response.Body;
    }

    /// <summary>connectionProfiles.create; null on 409 (exists). requestId = a stable id from the run, so a repeat is a no-op.</summary>
    public Task<JsonObject?> CreateProfileAsync(string id, JsonObject profile, string requestId, CancellationToken ct) =>
        CreateAsync("connectionProfiles", "connectionProfileId", id, profile, requestId, ct);

    /// <summary>migrationJobs.create; null on 409.</summary>
    public Task<JsonObject?> CreateJobAsync(string id, JsonObject job, string requestId, CancellationToken ct) =>
        CreateAsync("migrationJobs", "migrationJobId", id, job, requestId, ct);

    /// <summary>POST {job}:{verb} with an empty body: verify, start, stop, promote.</summary>
    public Task<JsonObject> JobVerbAsync(string jobId, string verb, CancellationToken ct) =>
        client.CallAsync(new GcpCall(HttpMethod.Post, $"v1/{JobName(jobId)}:{verb}", GcpRetry.Action) { Body = [] }, ct);

    /// <summary>DELETE of a job or profile (force: a profile still referenced by a deleted job goes too). Null on 404.</summary>
    public async Task<JsonObject?> DeleteAsync(string name, string requestId, CancellationToken ct)
    {
        var response = await client.SendAsync(new GcpCall(HttpMethod.Delete, $"v1/{name}")
        {
            Query = [new("requestId", requestId), new("force", "true")],
            Handled = [HttpStatusCode.NotFound],
        }, ct);
        return response.Status == HttpStatusCode.NotFound ? null : response.Body;
    }

    /// <summary>Polls operations.get until done; an operation with `error` is HYO8006 quoting its code and message.</summary>
    public async Task<JsonObject> WaitAsync(JsonObject operation, CancellationToken ct)
    {
        var name = operation["name"]?.GetValue<string>()
            ?? throw HyopsException.From(DiagnosticCatalog.GcpRequestRejected, "datamigration returned an operation without a name");
        var done = IsDone(operation)
            ? operation
            : await GcpPoller.UntilAsync(client, $"datamigration operation {name}", c => client.CallAsync(new GcpCall(HttpMethod.Get, $"v1/{name}"), c), IsDone, ct);
        if (done["error"] is JsonObject error)
        {
            throw HyopsException.From(DiagnosticCatalog.GcpOperationFailed,
                $"datamigration operation {name} ended with an error: code {error["code"]?.ToJsonString()} {error["message"]?.GetValue<string>()}{Details(error)}");
        }

        return done;
    }

    private static bool IsDone(JsonObject o) => o["done"] is JsonValue v && v.TryGetValue<bool>(out var d) && d;

    /// <summary>DMS puts its named error types (e.g. a verify finding) in error.details[]: quoted by type and reason.</summary>
    private static string Details(JsonObject error) => error["details"] is JsonArray { Count: > 0 } details
        ? " [" + string.Join("; ", details.OfType<JsonObject>().Select(d => d["reason"]?.GetValue<string>() ?? d["@type"]?.GetValue<string>() ?? "")) + "]"
        : "";

    private async Task<JsonObject?> CreateAsync(string collection, string idParameter, string id, JsonObject body, string requestId, CancellationToken ct)
    {
        var response = await client.SendAsync(new GcpCall(HttpMethod.Post, $"v1/{Parent}/{collection}")
        {
            Query = [new(idParameter, id), new("requestId", requestId)],
            Body = body,
            Handled = [HttpStatusCode.Conflict],
        }, ct);
        return response.Status == HttpStatusCode.Conflict ? null : response.Body;
    }
}
