using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// Database Migration Service v1 as documented, for PostgreSQL to Cloud SQL: connection profiles
/// (source `postgresql`, destination `cloudsql` whose settings create the Cloud SQL instance named
/// like the profile), CONTINUOUS migration jobs walked NOT_STARTED -> RUNNING (FULL_DUMP, then CDC)
/// -> PROMOTE_IN_PROGRESS -> COMPLETED, google.longrunning operations, requestId de-duplication.
/// </summary>
public sealed class FakeDataMigration(string project, string region, FakeSqlAdmin sqladmin)
{
    private readonly ConcurrentDictionary<string, JsonObject> operations = new();
    private readonly ConcurrentDictionary<string, JsonObject> byRequestId = new();

    public ConcurrentDictionary<string, JsonObject> Profiles { get; } = new();

    public ConcurrentDictionary<string, JsonObject> Jobs { get; } = new();

    /// <summary>The source passwords DMS received (the fake keeps them to prove they never came back out).</summary>
    public ConcurrentDictionary<string, string> SourcePasswords { get; } = new();

    public FakeOperations Operations { get; } = new() { StepsToDone = 1 };

    /// <summary>Job reads spent in FULL_DUMP before CDC.</summary>
    public int FullDumpReads { get; set; } = 2;

    /// <summary>Named DMS verification errors the next :verify reports (e.g. PGLOGICAL_NOT_INSTALLED).</summary>
    public List<string> VerifyErrors { get; } = [];

    /// <summary>When set, a started job replicates real data from the source into the destination's server (docs/gcp.md, "The fake").</summary>
    public FakeDmsReplication? Replication { get; set; }

    /// <summary>Every state/phase a job showed, in order (for the walk assertion).</summary>
    public ConcurrentQueue<string> Walk { get; } = new();

    private string Root => $"/v1/projects/{project}/locations/{region}";

    public FakeRoute Route(FakeRequest r)
    {
        if (!r.Path.StartsWith(Root + "/", StringComparison.Ordinal))
        {
            return FakeRoute.None;
        }

        var rest = r.Path[(Root.Length + 1)..].Split('/');
        return (r.Method, rest) switch
        {
            ("POST", ["connectionProfiles"]) => new(new FakeContract(["connectionProfileId", "requestId", "validateOnly", "skipValidation"], [],
                ["displayName", "labels", "role", "provider", "postgresql.host", "postgresql.port", "postgresql.username", "postgresql.password", "postgresql.ssl.type",
                 "postgresql.ssl.caCertificate", "postgresql.cloudSqlId", "postgresql.staticIpConnectivity", "cloudsql.settings.databaseVersion", "cloudsql.settings.tier",
                 "cloudsql.settings.rootPassword", "cloudsql.settings.sourceId", "cloudsql.settings.dataDiskSizeGb", "cloudsql.settings.storageAutoResizeLimit",
                 "cloudsql.settings.activationPolicy", "cloudsql.settings.zone", "cloudsql.settings.edition", "cloudsql.settings.availabilityType",
                 "cloudsql.settings.databaseFlags", "cloudsql.settings.userLabels", "cloudsql.settings.ipConfig.enableIpv4", "cloudsql.settings.ipConfig.requireSsl",
                 "cloudsql.settings.ipConfig.authorizedNetworks[].value", "cloudsql.settings.ipConfig.authorizedNetworks[].label"]),
                fail => CreateProfileAsync(r, fail)),
            ("GET", ["connectionProfiles", var id]) => new(FakeContract.NoBody, _ => Task.FromResult(Read(Profiles, id, "connection profile"))),
            ("DELETE", ["connectionProfiles", var id]) => new(new FakeContract(["requestId", "force"], [], []), fail => DeleteAsync(Profiles, id, r, fail)),
            ("POST", ["migrationJobs"]) => new(new FakeContract(["migrationJobId", "requestId"], ["type", "source", "destination"],
                ["displayName", "labels", "type", "source", "destination", "sourceDatabase.provider", "sourceDatabase.engine", "destinationDatabase.provider",
                 "destinationDatabase.engine", "staticIpConnectivity", "vpcPeeringConnectivity.vpc", "dumpPath"]), fail => CreateJobAsync(r, fail)),
            ("GET", ["migrationJobs", var id]) => new(FakeContract.NoBody, _ => ReadJobAsync(id)),
            ("DELETE", ["migrationJobs", var id]) => new(new FakeContract(["requestId", "force"], [], []), fail => DeleteAsync(Jobs, id, r, fail)),
            ("POST", ["migrationJobs", var idVerb]) when idVerb.Contains(':', StringComparison.Ordinal) => new(FakeContract.NoBody, fail => VerbAsync(idVerb, fail)),
            ("GET", ["operations", var op]) => new(FakeContract.NoBody, _ => GetOperationAsync(op)),
            _ => FakeRoute.None,
        };
    }

    private async Task<FakeResponse> CreateProfileAsync(FakeRequest r, bool fail)
    {
        var id = r.Query.GetValueOrDefault("connectionProfileId", "");
        if (Duplicate(r) is { } again)
        {
            return FakeResponse.Ok(again);
        }

        if (Profiles.ContainsKey(id))
        {
            return FakeResponse.Error(409, "ALREADY_EXISTS", $"Resource '{Root[4..]}/connectionProfiles/{id}' already exists");
        }

        var body = r.Body!;
        var profile = FakeOperations.Timestamp(new JsonObject { ["name"] = $"{Root[4..]}/connectionProfiles/{id}", ["state"] = "CREATING" }, "createTime");
        foreach (var key in new[] { "displayName", "labels", "role", "provider" }.Where(body.ContainsKey))
        {
            profile[key] = body[key]!.DeepClone();
        }

        if (body["postgresql"] is JsonObject pg)
        {
            var copy = pg.DeepClone().AsObject();
            // Input only: DMS never returns the password.
            if (copy.Remove("password"))
            {
                SourcePasswords[id] = pg["password"]!.GetValue<string>();
            }

            copy["passwordSet"] = true;
            profile["postgresql"] = copy;
        }

        if (body["cloudsql"] is JsonObject cloudsql)
        {
            var settings = cloudsql["settings"]!.DeepClone().AsObject();
            settings.Remove("rootPassword");
            profile["cloudsql"] = new JsonObject { ["settings"] = settings, ["cloudSqlId"] = id };
        }

        Profiles[id] = profile;
        return Remember(r, Operation("create", profile["name"]!.GetValue<string>(), fail, "connection profile creation failed (injected)", async () =>
        {
            if (body["cloudsql"] is JsonObject cs)
            {
                await sqladmin.CreateReplicaAsync(id, region, cs["settings"]!.AsObject(), cs["settings"]!["rootPassword"]?.GetValue<string>() ?? "", $"{id}-master");
                profile["cloudsql"]!["publicIp"] = sqladmin.Instances[id]["ipAddresses"]![0]!["ipAddress"]!.DeepClone();
            }

            profile["state"] = "READY";
        }, () => Profiles.TryRemove(id, out _)));
    }

    private Task<FakeResponse> CreateJobAsync(FakeRequest r, bool fail)
    {
        var id = r.Query.GetValueOrDefault("migrationJobId", "");
        if (Duplicate(r) is { } again)
        {
            return Task.FromResult(FakeResponse.Ok(again));
        }

        if (Jobs.ContainsKey(id))
        {
            return Task.FromResult(FakeResponse.Error(409, "ALREADY_EXISTS", $"Resource '{Root[4..]}/migrationJobs/{id}' already exists"));
        }

        var body = r.Body!;
        foreach (var key in new[] { "source", "destination" })
        {
            var profile = body[key]!.GetValue<string>().Split('/')[^1];
            if (!Profiles.ContainsKey(profile))
            {
                return Task.FromResult(FakeResponse.Error(400, "INVALID_ARGUMENT", $"{key} connection profile '{body[key]}' does not exist"));
            }
        }

        var job = FakeOperations.Timestamp(body.DeepClone().AsObject(), "createTime");
        job["name"] = $"{Root[4..]}/migrationJobs/{id}";
        job["state"] = "CREATING";
        Jobs[id] = job;
        return Task.FromResult(Remember(r, Operation("create", job["name"]!.GetValue<string>(), fail, "migration job creation failed (injected)", () =>
        {
            Set(job, "NOT_STARTED", null);
            return Task.CompletedTask;
        }, () => Jobs.TryRemove(id, out _))));
    }

    private Task<FakeResponse> VerbAsync(string idVerb, bool fail)
    {
        var (id, verb) = (idVerb.Split(':')[0], idVerb.Split(':')[1]);
        if (!Jobs.TryGetValue(id, out var job))
        {
            return Task.FromResult(Read(Jobs, id, "migration job"));
        }

        var state = job["state"]!.GetValue<string>();
        FakeResponse Refuse() => FakeResponse.Error(400, "FAILED_PRECONDITION", $"cannot {verb} a migration job in state {state}");
        var name = job["name"]!.GetValue<string>();
        return Task.FromResult(verb switch
        {
            "verify" when state is "NOT_STARTED" or "STOPPED" => VerifyErrors.Count > 0
                ? Failed(name, VerifyErrors)
                : Operation("verify", name, fail, "verification failed (injected)", () => Task.CompletedTask),
            "start" when state == "NOT_STARTED" => Operation("start", name, fail, "start failed (injected)", async () =>
            {
                if (Replication is not null)
                {
                    await Replication.StartAsync(id, SourceOf(job), DestinationOf(job));
                }

                Set(job, "RUNNING", "FULL_DUMP");
                job["fullDumpReadsLeft"] = FullDumpReads;
            }),
            "promote" when state == "RUNNING" && job["phase"]!.GetValue<string>() == "CDC" => Operation("promote", name, fail, "promote failed (injected)", () =>
            {
                Set(job, "RUNNING", "PROMOTE_IN_PROGRESS");
                return Task.CompletedTask;
            }),
            "stop" when state == "RUNNING" => Operation("stop", name, fail, "stop failed (injected)", async () =>
            {
                if (Replication is not null)
                {
                    await Replication.EndAsync(id);
                }

                Set(job, "STOPPED", job["phase"]?.GetValue<string>());
            }),
            "verify" or "start" or "promote" or "stop" => Refuse(),
            _ => FakeResponse.Error(404, "NOT_FOUND", $"no method {verb}"),
        });
    }

    private async Task<FakeResponse> ReadJobAsync(string id)
    {
        if (!Jobs.TryGetValue(id, out var job))
        {
            return Read(Jobs, id, "migration job");
        }

        // One step of the documented walk per read: FULL_DUMP -> CDC; PROMOTE_IN_PROGRESS -> COMPLETED (the destination is promoted).
        // A replicating job leaves FULL_DUMP only when its real initial copy is done.
        if (job["phase"]?.GetValue<string>() == "FULL_DUMP" && job["state"]!.GetValue<string>() == "RUNNING")
        {
            var left = job["fullDumpReadsLeft"]!.GetValue<int>() - 1;
            job["fullDumpReadsLeft"] = left;
            if (left <= 0 && (Replication is null || !Replication.Replicates(id) || await Replication.InCdcAsync(id)))
            {
                Set(job, "RUNNING", "CDC");
            }
        }
        else if (job["phase"]?.GetValue<string>() == "PROMOTE_IN_PROGRESS")
        {
            if (Replication is not null)
            {
                await Replication.EndAsync(id);
            }

            await sqladmin.PromoteLocalAsync(DestinationOf(job));
            Set(job, "COMPLETED", null);
        }

        var copy = job.DeepClone().AsObject();
        copy.Remove("fullDumpReadsLeft");
        return FakeResponse.Ok(copy);
    }

    private string DestinationOf(JsonObject job) => Profiles[job["destination"]!.GetValue<string>().Split('/')[^1]]["cloudsql"]!["cloudSqlId"]!.GetValue<string>();

    private FakeDmsReplication.Source SourceOf(JsonObject job)
    {
        var id = job["source"]!.GetValue<string>().Split('/')[^1];
        var pg = Profiles[id]["postgresql"]!;
        return new(pg["host"]!.GetValue<string>(), pg["port"]?.GetValue<int>() ?? 5432, pg["username"]!.GetValue<string>(), SourcePasswords[id]);
    }

    private void Set(JsonObject job, string state, string? phase)
    {
        job["state"] = state;
        if (phase is null)
        {
            job.Remove("phase");
        }
        else
        {
            job["phase"] = phase;
        }

        Walk.Enqueue(phase is null ? state : $"{state}/{phase}");
    }

    private async Task<FakeResponse> DeleteAsync(ConcurrentDictionary<string, JsonObject> store, string id, FakeRequest r, bool fail)
    {
        if (!store.TryGetValue(id, out var item))
        {
            return Read(store, id, "resource");
        }

        await Task.CompletedTask;
        return Remember(r, Operation("delete", item["name"]!.GetValue<string>(), fail, "delete failed (injected)", async () =>
        {
            if (ReferenceEquals(store, Jobs) && Replication is not null)
            {
                await Replication.EndAsync(id);
            }

            store.TryRemove(id, out _);
        }));
    }

    private static FakeResponse Read(ConcurrentDictionary<string, JsonObject> store, string id, string what) => store.TryGetValue(id, out var item)
        ? FakeResponse.Ok(item.DeepClone())
        : FakeResponse.Error(404, "NOT_FOUND", $"{what} '{id}' not found");

    private async Task<FakeResponse> GetOperationAsync(string op)
    {
        if (!operations.TryGetValue(op, out var o))
        {
            return FakeResponse.Error(404, "NOT_FOUND", "operation not found");
        }

        if (o["done"]!.GetValue<bool>())
        {
            return FakeResponse.Ok(o.DeepClone());
        }

        var (done, _, error) = await Operations.AdvanceAsync(op);
        if (done)
        {
            o["done"] = true;
            if (error is not null)
            {
                o["error"] = new JsonObject { ["code"] = 13, ["message"] = error };
                o.Remove("response");
            }
        }

        return FakeResponse.Ok(o.DeepClone());
    }

    private FakeResponse Operation(string verb, string target, bool fail, string failMessage, Func<Task> effect, Action? undo = null)
    {
        var name = Operations.Create(fail && undo is not null ? () => { undo(); return Task.CompletedTask; } : effect, fail, failMessage);
        if (fail)
        {
            undo?.Invoke();
        }

        var o = new JsonObject
        {
            ["name"] = $"{Root[4..]}/operations/{name}",
            ["metadata"] = FakeOperations.Timestamp(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.cloud.clouddms.v1.OperationMetadata", ["target"] = target, ["verb"] = verb, ["apiVersion"] = "v1",
            }, "createTime"),
            ["done"] = false,
            ["response"] = new JsonObject { ["@type"] = "type.googleapis.com/google.protobuf.Empty" },
        };
        operations[o["name"]!.GetValue<string>().Split('/')[^1]] = o;
        return FakeResponse.Ok(o.DeepClone());
    }

    /// <summary>A verify that finds source problems: an operation done with error and one ErrorInfo detail per named DMS error type.</summary>
    private FakeResponse Failed(string target, List<string> errors)
    {
        var name = $"op-verify-{Guid.NewGuid().ToString("N")[..8]}";
        var o = new JsonObject
        {
            ["name"] = $"{Root[4..]}/operations/{name}",
            ["metadata"] = new JsonObject { ["@type"] = "type.googleapis.com/google.cloud.clouddms.v1.OperationMetadata", ["target"] = target, ["verb"] = "verify" },
            ["done"] = true,
            ["error"] = new JsonObject
            {
                ["code"] = 9, ["message"] = "Migration job verification failed",
                ["details"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = e, ["domain"] = "datamigration.googleapis.com" })]),
            },
        };
        operations[name] = o;
        return FakeResponse.Ok(o.DeepClone());
    }

    private JsonObject? Duplicate(FakeRequest r) =>
        r.Query.TryGetValue("requestId", out var id) && byRequestId.TryGetValue(id, out var previous) ? previous.DeepClone().AsObject() : null;

    private FakeResponse Remember(FakeRequest r, FakeResponse response)
    {
        if (r.Query.TryGetValue("requestId", out var id) && response.Status == 200)
        {
            byRequestId[id] = response.Body.DeepClone().AsObject();
        }

        return response;
    }
}
