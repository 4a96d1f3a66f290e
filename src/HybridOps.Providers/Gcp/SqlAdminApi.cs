using System.Net;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// Cloud SQL Admin API v1 (sqladmin.googleapis.com/v1): instances get/insert/patch/delete/promoteReplica,
/// users.insert, flags.list, operations.get. Mutations return an operation, polled until DONE; a DONE
/// operation is checked for `error` too.
/// </summary>
public sealed class SqlAdminApi(GcpRestClient client)
{
    public GcpRestClient Client => client;

    private string Project => $"v1/projects/{Uri.EscapeDataString(client.Settings.Project)}";

    private string Instance(string name) => $"{Project}/instances/{Uri.EscapeDataString(name)}";

    /// <summary>instances.get; null on 404.</summary>
    public async Task<JsonObject?> GetInstanceAsync(string name, CancellationToken ct)
    {
        var response = await client.SendAsync(GcpCall.Get(Instance(name)), ct);
        return response.Status == HttpStatusCode.NotFound ? null : response.Body;
    }

    /// <summary>instances.insert. Null when the name is taken (409): the caller adopts or refuses after a get.</summary>
    public async Task<JsonObject?> InsertInstanceAsync(JsonObject instance, CancellationToken ct)
    {
        var response = await client.SendAsync(new GcpCall(HttpMethod.Post, $"{Project}/instances") { Body = instance, Handled = [HttpStatusCode.Conflict] }, ct);
        return response.Status == HttpStatusCode.Conflict ? null : response.Body;
    }

    /// <summary>instances.patch (partial update: only the fields in the body change).</summary>
    public Task<JsonObject> PatchInstanceAsync(string name, JsonObject patch, CancellationToken ct) =>
        client.CallAsync(new GcpCall(HttpMethod.Patch, Instance(name)) { Body = patch }, ct);

    public Task<JsonObject> DeleteInstanceAsync(string name, CancellationToken ct) =>
        client.CallAsync(new GcpCall(HttpMethod.Delete, Instance(name)), ct);

    /// <summary>instances.promoteReplica (empty body). Not repeated blindly: the caller re-reads the instance.</summary>
    public Task<JsonObject> PromoteReplicaAsync(string name, CancellationToken ct) =>
        client.CallAsync(new GcpCall(HttpMethod.Post, $"{Instance(name)}/promoteReplica", GcpRetry.Action), ct);

    /// <summary>instances.restart is for a running instance; a STOPPED one is started by patching its activation policy.</summary>
    public Task<JsonObject> StartInstanceAsync(string name, CancellationToken ct) =>
        PatchInstanceAsync(name, new JsonObject { ["settings"] = new JsonObject { ["activationPolicy"] = "ALWAYS" } }, ct);

    /// <summary>users.insert; 409 (the user exists) is handled by the caller with a password update (users.update).</summary>
    public async Task<JsonObject?> InsertUserAsync(string instance, string user, string password, CancellationToken ct)
    {
        var response = await client.SendAsync(new GcpCall(HttpMethod.Post, $"{Instance(instance)}/users")
        {
            Body = new JsonObject { ["name"] = user, ["password"] = password },
            Handled = [HttpStatusCode.Conflict],
        }, ct);
        return response.Status == HttpStatusCode.Conflict ? null : response.Body;
    }

    /// <summary>users.update (PUT ?name=): sets the password of an existing built-in user.</summary>
    public Task<JsonObject> UpdateUserAsync(string instance, string user, string password, CancellationToken ct) =>
        client.CallAsync(new GcpCall(HttpMethod.Put, $"{Instance(instance)}/users")
        {
            Query = [new("name", user)],
            Body = new JsonObject { ["name"] = user, ["password"] = password },
        }, ct);

    /// <summary>flags.list for a database version: the flags Cloud SQL lets an instance set.</summary>
    public async Task<JsonArray> ListFlagsAsync(string databaseVersion, CancellationToken ct) =>
        (await client.CallAsync(new GcpCall(HttpMethod.Get, "v1/flags") { Query = [new("databaseVersion", databaseVersion)] }, ct))["items"] as JsonArray ?? [];

    public Task<JsonObject> GetOperationAsync(string operation, CancellationToken ct) =>
        client.CallAsync(new GcpCall(HttpMethod.Get, $"{Project}/operations/{Uri.EscapeDataString(operation)}"), ct);

    /// <summary>Polls operations.get until status DONE; a DONE operation with `error.errors[]` is HYO8006.</summary>
    public async Task<JsonObject> WaitAsync(JsonObject operation, CancellationToken ct)
    {
        var name = operation["name"]?.GetValue<string>()
            ?? throw HyopsException.From(DiagnosticCatalog.GcpRequestRejected, "sqladmin returned an operation without a name");
        var done = operation["status"]?.GetValue<string>() == "DONE"
            ? operation
            : await GcpPoller.UntilAsync(client, $"sqladmin operation {name}", c => GetOperationAsync(name, c), o => o["status"]?.GetValue<string>() == "DONE", ct);
        if (done["error"]?["errors"] is JsonArray { Count: > 0 } errors)
        {
            var text = string.Join("; ", errors.Select(e => $"{e?["code"]?.GetValue<string>()}: {e?["message"]?.GetValue<string>()}"));
            throw HyopsException.From(DiagnosticCatalog.GcpOperationFailed,
                $"sqladmin operation {name} ({done["operationType"]?.GetValue<string>()} on {done["targetId"]?.GetValue<string>()}) ended with an error: {text}");
        }

        return done;
    }
}
