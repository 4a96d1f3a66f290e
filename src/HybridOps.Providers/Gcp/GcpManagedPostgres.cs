using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Providers.Managed;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// The managed-PostgreSQL port on Google Cloud. A standby (role replica) is created the way Database
/// Migration Service creates one: a DESTINATION connection profile whose cloudsql.settings make DMS
/// create the Cloud SQL instance (named like the profile, a read replica until promoted); a primary
/// with instances.insert. A create that finds the name taken adopts the instance when it matches the
/// request (version, tier), else HYO8008. Promotion goes through the DMS job when there is one
/// (:promote, then the job COMPLETED), else instances.promoteReplica; both end with instances.get
/// proving a RUNNABLE primary with an address.
/// </summary>
public sealed class GcpManagedPostgres(GcpApis apis, ProviderLocation location, TimeProvider time) : IManagedPostgresProvider
{
    public string Name => "gcp";

    public ProviderLocation Location => location;

    public GcpApis Apis => apis;

    private SqlAdminApi Sql => apis.SqlAdmin;

    private DataMigrationApi Dms => apis.DataMigration;

    public async Task<ProviderOperation> InsertInstanceAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetUtcNow();
        var labels = new JsonObject { [GcpNames.AdminUserLabel] = request.AdminUser };
        var networks = new JsonArray([.. request.AuthorizedNetworks.Select((n, k) => (JsonNode)new JsonObject { ["value"] = n, [request.Role == InstanceRole.Replica ? "label" : "name"] = $"hyops-{k + 1}" })]);
        JsonObject? op;
        if (request.Role == InstanceRole.Replica)
        {
            op = await Dms.CreateProfileAsync(GcpNames.DestinationProfile(request.Name), new JsonObject
            {
                ["displayName"] = $"hyops DR standby {request.Name}",
                ["role"] = "DESTINATION",
                ["provider"] = "CLOUDSQL",
                ["cloudsql"] = new JsonObject
                {
                    ["settings"] = new JsonObject
                    {
                        ["databaseVersion"] = request.DatabaseVersion,
                        ["tier"] = request.Settings.Tier,
                        ["rootPassword"] = request.AdminPassword,
                        ["userLabels"] = labels,
                        ["ipConfig"] = new JsonObject { ["enableIpv4"] = true, ["authorizedNetworks"] = networks },
                    },
                },
            }, GcpNames.RequestId(), cancellationToken);
            if (op is not null)
            {
                await Dms.WaitAsync(op, cancellationToken);
            }
        }
        else
        {
            op = await Sql.InsertInstanceAsync(new JsonObject
            {
                ["name"] = request.Name,
                ["databaseVersion"] = request.DatabaseVersion,
                ["region"] = request.Settings.Region,
                ["rootPassword"] = request.AdminPassword,
                ["settings"] = new JsonObject
                {
                    ["tier"] = request.Settings.Tier,
                    ["userLabels"] = labels,
                    ["ipConfiguration"] = new JsonObject { ["ipv4Enabled"] = true, ["authorizedNetworks"] = networks },
                },
            }, cancellationToken);
            if (op is not null)
            {
                op = await Sql.WaitAsync(op, cancellationToken);
            }
        }

        var instance = await Sql.GetInstanceAsync(request.Name, cancellationToken)
            ?? throw HyopsException.From(DiagnosticCatalog.GcpOperationFailed, $"instance '{request.Name}' is absent after its create operation");
        if (op is null)
        {
            Adoptable(request, instance);
        }

        if (request.AdminUser != "postgres")
        {
            // The root user is postgres; another admin identity is a built-in user with the same password.
            if (await Sql.InsertUserAsync(request.Name, request.AdminUser, request.AdminPassword, cancellationToken) is null)
            {
                await Sql.UpdateUserAsync(request.Name, request.AdminUser, request.AdminPassword, cancellationToken);
            }
        }

        return op is null
            ? new ProviderOperation("adopted", "ADOPT", request.Name, "DONE", started, time.GetUtcNow())
            : GcpInstanceMapper.ToOperation(op, "CREATE", request.Name, started, time.GetUtcNow());
    }

    public async Task<ManagedInstance?> GetInstanceAsync(string name, CancellationToken cancellationToken) =>
        await Sql.GetInstanceAsync(name, cancellationToken) is { } i ? GcpInstanceMapper.ToInstance(i) : null;

    public Task<ProviderOperation> PatchAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        return PatchAsync(name, "UPDATE", new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["ipConfiguration"] = new JsonObject
                {
                    ["authorizedNetworks"] = new JsonArray([.. cidrs.Select((n, k) => (JsonNode)new JsonObject { ["value"] = n, ["name"] = $"hyops-{k + 1}" })]),
                },
            },
        }, cancellationToken);
    }

    public async Task<ProviderOperation> RestartInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var instance = await RequireAsync(name, cancellationToken);
        if (instance.State != InstanceState.Stopped)
        {
            return new ProviderOperation("none", "RESTART", name, "DONE", started, time.GetUtcNow());
        }

        var op = await Sql.WaitAsync(await Sql.StartInstanceAsync(name, cancellationToken), cancellationToken);
        return GcpInstanceMapper.ToOperation(op, "UPDATE", name, started, time.GetUtcNow());
    }

    public async Task<ProviderOperation> PromoteReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var before = await Sql.GetInstanceAsync(name, cancellationToken)
            ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' does not exist in project {apis.Settings.Project}");
        JsonObject op;
        if (!GcpInstanceMapper.IsReplica(before))
        {
            op = new JsonObject { ["name"] = "none", ["operationType"] = "PROMOTE_REPLICA", ["status"] = "DONE" };
        }
        else if (await Dms.GetAsync(Dms.JobName(GcpNames.MigrationJob(name)), cancellationToken) is { } job && job["state"]?.GetValue<string>() != "COMPLETED")
        {
            op = await Dms.WaitAsync(await Dms.JobVerbAsync(GcpNames.MigrationJob(name), "promote", cancellationToken), cancellationToken);
            await new GcpMigrationJob(Dms, GcpNames.MigrationJob(name)).WaitForStateAsync("COMPLETED", null, cancellationToken);
        }
        else
        {
            op = await Sql.WaitAsync(await Sql.PromoteReplicaAsync(name, cancellationToken), cancellationToken);
        }

        // Proven by the API, not assumed: no longer a replica, RUNNABLE, with an address.
        var after = await Sql.GetInstanceAsync(name, cancellationToken);
        if (after is null || GcpInstanceMapper.IsReplica(after) || after["state"]?.GetValue<string>() != "RUNNABLE" || GcpInstanceMapper.Address(after) is null)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable,
                $"instance '{name}' after promotion: state {after?["state"]}, instanceType {after?["instanceType"]}, address {(after is null ? null : GcpInstanceMapper.Address(after))}");
        }

        if (after["settings"]?["userLabels"]?[GcpNames.PromotedAtLabel] is null)
        {
            var labels = after["settings"]?["userLabels"]?.DeepClone() as JsonObject ?? [];
            labels[GcpNames.PromotedAtLabel] = started.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            await Sql.WaitAsync(await Sql.PatchInstanceAsync(name, new JsonObject { ["settings"] = new JsonObject { ["userLabels"] = labels } }, cancellationToken), cancellationToken);
        }

        return GcpInstanceMapper.ToOperation(op, "PROMOTE_REPLICA", name, started, time.GetUtcNow());
    }

    public async Task<ProviderOperation> PatchDatabaseFlagsAsync(string name, IReadOnlyDictionary<string, string> flags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var instance = await RequireAsync(name, cancellationToken);
        // Cloud SQL accepts only the flags it lists for the version: checked before the patch, so a refusal changes nothing.
        var offered = (await Sql.ListFlagsAsync(instance.DatabaseVersion, cancellationToken)).OfType<JsonObject>().Select(f => f["name"]?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var missing = flags.Keys.Where(k => !offered.Contains(k)).ToList();
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.GcpRequestRejected,
                $"Cloud SQL does not allow the flag(s) {string.Join(", ", missing)} for {instance.DatabaseVersion} (flags.list); nothing was changed");
        }

        return await PatchAsync(name, "UPDATE", new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["databaseFlags"] = new JsonArray([.. flags.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject { ["name"] = f.Key, ["value"] = f.Value })]),
            },
        }, cancellationToken);
    }

    /// <summary>Cloud SQL has no passfile: DMS keeps the source password in the source connection profile (input only, encrypted by DMS).</summary>
    public Task<string> PutSourcePassfileAsync(string name, string host, int port, string user, string password, CancellationToken cancellationToken) =>
        throw HyopsException.From(DiagnosticCatalog.ProviderNotAvailable,
            "provider gcp takes the source password in the DMS source connection profile (org/gcp/cloudsql-external-replica does this); no passfile exists");

    public Task<ManagedBackup> EnableBackupsAsync(string name, BackupRepository repository, CancellationToken cancellationToken) =>
        throw HyopsException.From(DiagnosticCatalog.ProviderNotAvailable,
            "enable_backups with provider gcp (settings.backupConfiguration + backupRuns.insert) is not in this build; enable Cloud SQL backups in the console or with gcloud");

    public async Task<ProviderOperation> DeleteInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        await RequireAsync(name, cancellationToken);
        var op = await Sql.WaitAsync(await Sql.DeleteInstanceAsync(name, cancellationToken), cancellationToken);
        // A standby's destination profile goes with it (DMS created the instance from it).
        if (await Dms.DeleteAsync(Dms.ProfileName(GcpNames.DestinationProfile(name)), GcpNames.RequestId(), cancellationToken) is { } profileOp)
        {
            await Dms.WaitAsync(profileOp, cancellationToken);
        }

        return GcpInstanceMapper.ToOperation(op, "DELETE", name, started, time.GetUtcNow());
    }

    private async Task<ProviderOperation> PatchAsync(string name, string type, JsonObject patch, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        await RequireAsync(name, ct);
        var op = await Sql.WaitAsync(await Sql.PatchInstanceAsync(name, patch, ct), ct);
        return GcpInstanceMapper.ToOperation(op, type, name, started, time.GetUtcNow());
    }

    private async Task<ManagedInstance> RequireAsync(string name, CancellationToken ct) =>
        await GetInstanceAsync(name, ct) ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' does not exist in project {apis.Settings.Project}");

    /// <summary>A name already taken is adopted only when it is the instance this request describes.</summary>
    private static void Adoptable(InstanceRequest request, JsonObject existing)
    {
        var version = existing["databaseVersion"]?.GetValue<string>();
        var tier = existing["settings"]?["tier"]?.GetValue<string>();
        var replica = GcpInstanceMapper.IsReplica(existing);
        if (version != request.DatabaseVersion || tier != request.Settings.Tier || replica != (request.Role == InstanceRole.Replica))
        {
            throw HyopsException.From(DiagnosticCatalog.GcpResourceConflict,
                $"instance '{request.Name}' exists as {version}, tier {tier}, {(replica ? "replica" : "primary")}; the request is {request.DatabaseVersion}, tier {request.Settings.Tier}, {request.Role.ToString().ToLowerInvariant()}");
        }
    }
}
