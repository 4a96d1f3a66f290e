using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// Cloud SQL Admin v1 as documented: instances (get/insert/patch/delete/promoteReplica), users
/// (insert/update), flags.list, operations.get. Instances are PENDING_CREATE until their insert
/// operation is DONE, then RUNNABLE with a PRIMARY ipAddress; a replica (created by a DMS destination
/// profile) is a READ_REPLICA_INSTANCE until promoted.
/// </summary>
public sealed class FakeSqlAdmin(string project, IFakeInstanceBackend backend)
{
    private static readonly string[] SettingsFields =
    [
        "settings.tier", "settings.activationPolicy", "settings.availabilityType", "settings.dataDiskSizeGb", "settings.userLabels",
        "settings.ipConfiguration.ipv4Enabled", "settings.ipConfiguration.requireSsl", "settings.ipConfiguration.authorizedNetworks[].value",
        "settings.ipConfiguration.authorizedNetworks[].name", "settings.databaseFlags[].name", "settings.databaseFlags[].value",
        "settings.backupConfiguration.enabled", "settings.backupConfiguration.pointInTimeRecoveryEnabled", "settings.backupConfiguration.startTime",
    ];

    public ConcurrentDictionary<string, JsonObject> Instances { get; } = new();

    public ConcurrentDictionary<string, string> Passwords { get; } = new();

    public FakeOperations Operations { get; } = new();

    private readonly ConcurrentDictionary<string, JsonObject> operations = new();

    /// <summary>Flags flags.list offers for POSTGRES_15 (a subset of the real list, with the ones hyops sets).</summary>
    public List<string> OfferedFlags { get; } = ["default_transaction_read_only", "max_connections", "log_min_duration_statement", "cloudsql.logical_decoding", "cloudsql.enable_pglogical"];

    public FakeRoute Route(FakeRequest r)
    {
        var root = $"/v1/projects/{project}";
        if (r.Path == "/v1/flags" && r.Method == "GET")
        {
            return new(new FakeContract(["databaseVersion", "flagScope"], [], []), _ => Task.FromResult(Flags()));
        }

        if (!r.Path.StartsWith(root + "/", StringComparison.Ordinal))
        {
            return FakeRoute.None;
        }

        var rest = r.Path[(root.Length + 1)..].Split('/');
        return (r.Method, rest) switch
        {
            ("POST", ["instances"]) => new(new FakeContract([], ["name", "databaseVersion", "settings.tier"],
                ["name", "databaseVersion", "region", "rootPassword", "instanceType", .. SettingsFields]), fail => InsertAsync(r.Body!, fail)),
            ("GET", ["instances", var name]) => new(FakeContract.NoBody, _ => Task.FromResult(Get(name))),
            ("PATCH", ["instances", var name]) => new(new FakeContract([], [], SettingsFields), fail => PatchAsync(name, r.Body!, fail)),
            ("DELETE", ["instances", var name]) => new(FakeContract.NoBody, fail => DeleteAsync(name, fail)),
            ("POST", ["instances", var name, "promoteReplica"]) => new(new FakeContract(["failover"], [], []), fail => PromoteAsync(name, fail)),
            ("POST", ["instances", var name, "users"]) => new(new FakeContract([], ["name", "password"], ["name", "password", "host", "type"]), _ => InsertUserAsync(name, r.Body!)),
            ("PUT", ["instances", var name, "users"]) => new(new FakeContract(["name", "host"], ["password"], ["name", "password", "host", "type"]), _ => UpdateUserAsync(name, r.Query.GetValueOrDefault("name", ""), r.Body!)),
            ("GET", ["operations", var op]) => new(FakeContract.NoBody, _ => GetOperationAsync(op)),
            _ => FakeRoute.None,
        };
    }

    /// <summary>Used by the DMS fake: a destination connection profile creates its Cloud SQL instance as a replica of the source representation.</summary>
    public async Task CreateReplicaAsync(string name, string region, JsonObject settings, string rootPassword, string sourceRepresentation)
    {
        var networks = (settings["ipConfig"]?["authorizedNetworks"] as JsonArray ?? []).Select(n => n!["value"]!.GetValue<string>()).ToList();
        var address = await backend.CreateAsync(name, "postgres", rootPassword, networks, replica: true);
        Instances[name] = Instance(name, region, settings["databaseVersion"]!.GetValue<string>(), settings["tier"]?.GetValue<string>() ?? "db-custom-1-3840",
            networks, address, "READ_REPLICA_INSTANCE", sourceRepresentation);
        if (settings["userLabels"] is JsonObject labels)
        {
            Instances[name]["settings"]!["userLabels"] = labels.DeepClone();
        }
    }

    /// <summary>The DMS promote (or promoteReplica): a stand-alone primary, writable.</summary>
    public async Task PromoteLocalAsync(string name)
    {
        await backend.PromoteAsync(name);
        var i = Instances[name];
        i["instanceType"] = "CLOUD_SQL_INSTANCE";
        i.Remove("masterInstanceName");
    }

    private FakeResponse Flags() => FakeResponse.Ok(new JsonObject
    {
        ["kind"] = "sql#flagsList",
        ["items"] = new JsonArray([.. OfferedFlags.Select(f => (JsonNode)new JsonObject
        {
            ["kind"] = "sql#flag", ["name"] = f, ["type"] = f.StartsWith("cloudsql.", StringComparison.Ordinal) || f.StartsWith("default_", StringComparison.Ordinal) ? "BOOLEAN" : "INTEGER",
            ["appliesTo"] = new JsonArray("POSTGRES_15"), ["requiresRestart"] = f.StartsWith("cloudsql.", StringComparison.Ordinal),
        })]),
    });

    private async Task<FakeResponse> InsertAsync(JsonObject body, bool fail)
    {
        var name = body["name"]!.GetValue<string>();
        if (Instances.ContainsKey(name))
        {
            return FakeResponse.Error(409, "ALREADY_EXISTS", "The Cloud SQL instance already exists.", "instanceAlreadyExists");
        }

        var networks = (body["settings"]?["ipConfiguration"]?["authorizedNetworks"] as JsonArray ?? []).Select(n => n!["value"]!.GetValue<string>()).ToList();
        var instance = Instance(name, body["region"]?.GetValue<string>() ?? "us-central1", body["databaseVersion"]!.GetValue<string>(),
            body["settings"]!["tier"]!.GetValue<string>(), networks, null, "CLOUD_SQL_INSTANCE", null);
        instance["state"] = "PENDING_CREATE";
        if (body["settings"]?["userLabels"] is JsonObject labels)
        {
            instance["settings"]!["userLabels"] = labels.DeepClone();
        }

        Instances[name] = instance;
        var password = body["rootPassword"]?.GetValue<string>() ?? "";
        var op = await OperationAsync("CREATE", name, fail, "Internal error creating the instance (injected).", async () =>
        {
            var address = await backend.CreateAsync(name, "postgres", password, networks, replica: false);
            instance["ipAddresses"] = new JsonArray(new JsonObject { ["type"] = "PRIMARY", ["ipAddress"] = address });
            instance["state"] = "RUNNABLE";
        });
        if (fail)
        {
            Instances.TryRemove(name, out _);
        }

        return op;
    }

    private FakeResponse Get(string name) => Instances.TryGetValue(name, out var i)
        ? FakeResponse.Ok(i.DeepClone())
        : FakeResponse.Error(404, "NOT_FOUND", "The Cloud SQL instance does not exist.", "instanceDoesNotExist");

    private async Task<FakeResponse> PatchAsync(string name, JsonObject body, bool fail)
    {
        if (!Instances.TryGetValue(name, out var i))
        {
            return Get(name);
        }

        return await OperationAsync("UPDATE", name, fail, "Invalid flag value (injected).", async () =>
        {
            var settings = i["settings"]!.AsObject();
            if (body["settings"]?["ipConfiguration"]?["authorizedNetworks"] is JsonArray networks)
            {
                settings["ipConfiguration"]!["authorizedNetworks"] = networks.DeepClone();
                await backend.SetAuthorizedNetworksAsync(name, [.. networks.Select(n => n!["value"]!.GetValue<string>())]);
            }

            if (body["settings"]?["databaseFlags"] is JsonArray flags)
            {
                settings["databaseFlags"] = flags.DeepClone();
                await backend.SetFlagsAsync(name, flags.ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!["value"]!.GetValue<string>()));
            }

            if (body["settings"]?["activationPolicy"] is JsonValue policy)
            {
                settings["activationPolicy"] = policy.DeepClone();
                i["state"] = policy.GetValue<string>() == "NEVER" ? "STOPPED" : "RUNNABLE";
            }

            if (body["settings"]?["userLabels"] is JsonObject labels)
            {
                settings["userLabels"] = labels.DeepClone();
            }

            if (body["settings"]?["backupConfiguration"] is JsonObject backup)
            {
                settings["backupConfiguration"] = backup.DeepClone();
            }

            settings["settingsVersion"] = (settings["settingsVersion"]?.GetValue<long>() ?? 1) + 1;
        });
    }

    private async Task<FakeResponse> DeleteAsync(string name, bool fail)
    {
        if (!Instances.ContainsKey(name))
        {
            return Get(name);
        }

        return await OperationAsync("DELETE", name, fail, "Delete failed (injected).", async () =>
        {
            await backend.DeleteAsync(name);
            Instances.TryRemove(name, out _);
        });
    }

    private async Task<FakeResponse> PromoteAsync(string name, bool fail)
    {
        if (!Instances.TryGetValue(name, out var i))
        {
            return Get(name);
        }

        if (i["instanceType"]!.GetValue<string>() != "READ_REPLICA_INSTANCE")
        {
            return FakeResponse.Error(400, "FAILED_PRECONDITION", "The instance is not a read replica.", "instanceNotReplica");
        }

        return await OperationAsync("PROMOTE_REPLICA", name, fail, "Promotion failed (injected).", () => PromoteLocalAsync(name));
    }

    private async Task<FakeResponse> InsertUserAsync(string instance, JsonObject body)
    {
        var user = body["name"]!.GetValue<string>();
        if (!Instances.ContainsKey(instance))
        {
            return Get(instance);
        }

        if (!Passwords.TryAdd(instance + "/" + user, body["password"]!.GetValue<string>()))
        {
            return FakeResponse.Error(409, "ALREADY_EXISTS", "The user already exists.");
        }

        await backend.SetUserAsync(instance, user, body["password"]!.GetValue<string>());
        return FakeResponse.Ok(Done("CREATE_USER", instance));
    }

    private async Task<FakeResponse> UpdateUserAsync(string instance, string user, JsonObject body)
    {
        Passwords[instance + "/" + user] = body["password"]!.GetValue<string>();
        await backend.SetUserAsync(instance, user, body["password"]!.GetValue<string>());
        return FakeResponse.Ok(Done("UPDATE_USER", instance));
    }

    private async Task<FakeResponse> GetOperationAsync(string op)
    {
        if (!operations.TryGetValue(op, out var o))
        {
            return FakeResponse.Error(404, "NOT_FOUND", "The operation does not exist.");
        }

        var (done, running, error) = await Operations.AdvanceAsync(op);
        o["status"] = done ? "DONE" : running ? "RUNNING" : "PENDING";
        if (done)
        {
            FakeOperations.Timestamp(o, "endTime");
            if (error is not null)
            {
                o["error"] = new JsonObject { ["kind"] = "sql#operationErrors", ["errors"] = new JsonArray(new JsonObject { ["kind"] = "sql#operationError", ["code"] = "INTERNAL_ERROR", ["message"] = error }) };
            }
        }

        return FakeResponse.Ok(o.DeepClone());
    }

    private async Task<FakeResponse> OperationAsync(string type, string target, bool fail, string failMessage, Func<Task> effect)
    {
        var name = Operations.Create(effect, fail, failMessage);
        var o = FakeOperations.Timestamp(new JsonObject
        {
            ["kind"] = "sql#operation", ["name"] = name, ["operationType"] = type, ["status"] = "PENDING", ["targetId"] = target, ["targetProject"] = project,
            ["selfLink"] = $"https://sqladmin.googleapis.com/v1/projects/{project}/operations/{name}",
        }, "insertTime");
        operations[name] = o;
        if (Operations.StepsToDone == 0)
        {
            return await GetOperationAsync(name);
        }

        return FakeResponse.Ok(o.DeepClone());
    }

    private JsonObject Done(string type, string target) => new()
    {
        ["kind"] = "sql#operation", ["name"] = $"op-user-{Guid.NewGuid().ToString("N")[..8]}", ["operationType"] = type, ["status"] = "DONE", ["targetId"] = target, ["targetProject"] = project,
    };

    private JsonObject Instance(string name, string region, string version, string tier, IReadOnlyList<string> networks, string? address, string type, string? master)
    {
        var i = FakeOperations.Timestamp(new JsonObject
        {
            ["kind"] = "sql#instance", ["name"] = name, ["project"] = project, ["region"] = region, ["databaseVersion"] = version,
            ["state"] = "RUNNABLE", ["instanceType"] = type, ["connectionName"] = $"{project}:{region}:{name}", ["backendType"] = "SECOND_GEN",
            ["settings"] = new JsonObject
            {
                ["kind"] = "sql#settings", ["tier"] = tier, ["activationPolicy"] = "ALWAYS", ["settingsVersion"] = 1,
                ["ipConfiguration"] = new JsonObject
                {
                    ["ipv4Enabled"] = true,
                    ["authorizedNetworks"] = new JsonArray([.. networks.Select(n => (JsonNode)new JsonObject { ["kind"] = "sql#aclEntry", ["value"] = n })]),
                },
            },
        }, "createTime");
        if (address is not null)
        {
            i["ipAddresses"] = new JsonArray(new JsonObject { ["type"] = "PRIMARY", ["ipAddress"] = address });
        }

        if (master is not null)
        {
            i["masterInstanceName"] = master;
        }

        return i;
    }
}
