using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.DrHosts;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Reseed;

/// <summary>
/// apply_mode reseed (premium failback): a NEW on-prem Patroni cluster with a NEW lineage (fresh
/// initdb: new system identifier; the old timeline is never resumed), filled from the FENCED managed
/// primary with pg_dump | pg_restore through the executor, verified table by table (row counts and
/// checksums) against it, then the replicas are cloned by Patroni. Order: checks that change nothing,
/// then (under wipe_confirm) the old database tier retired and the old data/DCS keys wiped, then build.
/// </summary>
internal sealed class ClusterReseed(ModuleContext context, PatroniClient patroni, IProcessRunner runner)
{
    private const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ConfigMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string scope = context.Inputs.String("cluster_name")!;
    private readonly RestoreHosts hosts = RestoreHosts.From(context, context.Inputs.State("hosts_state_ref")!);
    private readonly ManagedSource source = ManagedSource.From(context);
    private readonly TimeSpan timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("restore_timeout_s") ?? 600);
    private readonly string bin = context.Inputs.String("postgres_bin_dir") ?? "/usr/lib/postgresql/15/bin";
    private readonly RestoreOwnership ownership = new(context, context.Inputs.String("cluster_name")!, "reseed");

    private SshRestoreMembers members = null!;


    public async Task<ModuleOutcome> RunAsync(CancellationToken ct)
    {
        await using var owned = members = RestoreMembers.For(context, scope);
        var startedAt = context.Time.GetUtcNow();
        var superuser = context.Inputs.String("superuser") ?? "postgres";
        var superuserEnv = context.Inputs.String("superuser_password_env")!;
        var superuserPassword = context.Secrets.Resolve(superuserEnv);
        var replicationPassword = context.Secrets.Resolve(context.Inputs.String("replication_password_env")!);
        var sourcePassword = context.Secrets.Resolve(source.PasswordEnv);
        var previousSystemId = context.Previous?.Outputs.Str("system_identifier");
        context.Evidence.Guard("reseed_confirm", true, new JsonObject
        {
            ["cluster_name"] = scope, ["typed"] = context.Inputs.String("reseed_confirm"), ["operator"] = Environment.UserName,
            ["at"] = startedAt.ToString("O"), ["run_id"] = context.RunId, ["source"] = source.ToJson(),
        });

        // 1. Checks that change nothing: the managed primary is fenced (state AND a live probe), the DCS answers.
        var probe = await Org.Gcp.CloudsqlPostgresql.ManagedFence.ProbeAsync(source.Endpoint(sourcePassword), ct);
        var fenced = source.Fenced && probe.SqlState == Npgsql.PostgresErrorCodes.ReadOnlySqlTransaction;
        context.Evidence.Check("managed_primary_fenced", fenced, new JsonObject
        {
            ["instance"] = source.Instance, ["state_write_fenced"] = source.Fenced, ["role"] = source.Role, ["probe_outcome"] = probe.Outcome, ["sqlstate"] = probe.SqlState,
        }, fenced ? null : DiagnosticCatalog.ReseedSourceNotFenced.Code);
        if (!fenced)
        {
            throw HyopsException.From(DiagnosticCatalog.ReseedSourceNotFenced,
                $"managed instance '{source.Instance}' (write_fenced in state: {source.Fenced}, write probe: {probe.Outcome}) must refuse writes before it is copied");
        }

        var roles = new AppRoleCarrier(context, AppRoleSpec.From(context, superuser, context.Inputs.String("replication_user") ?? "replicator", source.AdminUser));
        await roles.RequireAsync(source.Endpoint(sourcePassword), $"managed instance '{source.Instance}'", ct);
        await RunAsync("etcdctl endpoint health", Etcdctl("endpoint", "health"), DiagnosticCatalog.DcsUnreachable, ct);

        // The processes of this module's own unfinished run (same inputs, killed or failed) are stopped before
        // the DCS and the member dirs are read: a Patroni it left running may still take keys until it is gone.
        var facts = await ClusterRestore.StopOwnUnfinishedAsync(context, hosts, members, ownership, ct);
        var oldScope = context.Inputs.State("hosts_state_ref")!.Outputs.Str("cluster_name");
        var scopes = new[] { scope, oldScope }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in scopes)
        {
            keys[s] = (await RunAsync($"etcdctl get keys of {s}", Etcdctl("get", "--prefix", "--keys-only", $"/service/{s}/"), DiagnosticCatalog.DcsUnreachable, ct))
                .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        }

        // What this module's own unfinished run left is redone without wipe_confirm; a port still taken belongs to someone else.
        var owner = (await RunAsync("etcdctl get owner marker", Etcdctl("get", "--print-value-only", ownership.DcsKey), DiagnosticCatalog.DcsUnreachable, ct)).StdOut;
        var left = ownership.Classify(hosts.Hosts, facts, keys[scope], owner);
        if (left.AnyOwn)
        {
            context.Progress.Report($"redoing the unfinished run {context.Previous?.RunId} of this reseed (same inputs): {left.Own.Count} member dir(s), {left.OwnKeys} DCS key(s) of its own");
            await members.StopAsync(left.Own, ct);
        }

        var foreignKeys = left.ForeignKeys + keys.Where(k => k.Key != scope).Sum(k => k.Value);
        var nonEmpty = left.Foreign.Select(h => h.DataDir).ToList();
        var wipe = left.Foreign.Concat(left.Own).ToList();
        var occupied = hosts.Hosts.Where(h => RestoreHosts.PortsTaken(h)).Select(h => $"{h.Name}={h.Host}").ToList();
        context.Evidence.Check("target_is_empty", nonEmpty.Count == 0 && foreignKeys == 0 && occupied.Count == 0 && !left.AnyOwn, new JsonObject
        {
            ["non_empty_data_dirs"] = nonEmpty.ToJsonArray(), ["dcs_keys"] = foreignKeys, ["scopes"] = scopes.ToJsonArray(), ["hosts_in_use"] = occupied.ToJsonArray(),
            ["previous_system_identifier"] = previousSystemId, ["own_unfinished_data_dirs"] = left.Own.Select(h => h.DataDir).ToJsonArray(), ["own_unfinished_dcs_keys"] = left.OwnKeys,
        });

        // 2. Retiring the old cluster is deliberate: typed wipe_confirm, recorded as a guard.
        if (nonEmpty.Count > 0 || foreignKeys > 0 || occupied.Count > 0)
        {
            var typed = context.Inputs.String("wipe_confirm");
            context.Evidence.Guard("wipe_confirm", typed == scope, new JsonObject
            {
                ["expected"] = scope, ["typed"] = typed, ["data_dirs"] = nonEmpty.ToJsonArray(), ["dcs_keys"] = foreignKeys, ["hosts_in_use"] = occupied.ToJsonArray(),
            });
            if (typed != scope)
            {
                throw HyopsException.From(DiagnosticCatalog.WipeNotConfirmed,
                    $"the on-prem hosts hold an old cluster (in use: {string.Join(", ", occupied)}; data dirs: {nonEmpty.Count}; DCS keys: {foreignKeys}); wipe_confirm must be '{scope}'");
            }

            await RetireAsync(occupied.Count > 0, wipe, scopes, ct);
        }
        else if (left.AnyOwn)
        {
            await WipeOwnAsync(left.Own, left.OwnKeys > 0, ct);
        }

        foreach (var h in hosts.Hosts)
        {
            if (RestoreHosts.PortsTaken(h))
            {
                throw HyopsException.From(DiagnosticCatalog.TargetPortInUse,
                    $"{h.Host}:{h.PgPort}/{h.ApiPort} ({h.Name}) is still taken after the old cluster was retired; if the old cluster still runs there, stop its Patroni on every member and rerun");
            }
        }

        // 3. Files: a patroni.yml per host with an initdb bootstrap (a new lineage).
        var etcdCa = hosts.DcsCaFile is { } caFile ? await File.ReadAllTextAsync(caFile, ct) : null;
        foreach (var h in hosts.Hosts)
        {
            // The owner marker first: whatever this run leaves in the member dir is recognisable as its own.
            await members.EnsureDirectoryAsync(h, hosts.DataRoot, Shared, ct);
            await members.EnsureDirectoryAsync(h, h.Dir, Shared, ct);
            await ownership.WriteMarkersAsync(members, [h], completed: false, ct);
            foreach (var (dir, mode) in new[] { (h.DataDir, Private), (h.SocketDir, Shared) })
            {
                await members.EnsureDirectoryAsync(h, dir, mode, ct);
            }

            var yaml = RestorePatroniConfig.Render(new RestorePatroniConfig.Settings(scope, h, hosts.DcsEndpoints, bin, superuser,
                context.Inputs.String("replication_user") ?? "replicator", "", "", new Dictionary<string, string>())
            {
                FastBasebackup = true, ClientNetworks = hosts.ClientNetworks, DcsProtocol = hosts.DcsScheme, DcsCaFile = etcdCa is null ? null : h.EtcdCaFile,
            });
            if (etcdCa is not null)
            {
                await members.WriteFileAsync(h, h.EtcdCaFile, etcdCa, ConfigMode, ct);
            }

            await members.WriteFileAsync(h, h.PatroniConfig, yaml, ConfigMode, ct);
            context.Evidence.WriteDocument($"patroni-{h.Name}.yml.json", new JsonObject { ["path"] = h.PatroniConfig, ["text"] = yaml });
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATRONI_SUPERUSER_USERNAME"] = superuser, ["PATRONI_SUPERUSER_PASSWORD"] = superuserPassword,
            ["PATRONI_REPLICATION_USERNAME"] = context.Inputs.String("replication_user") ?? "replicator", ["PATRONI_REPLICATION_PASSWORD"] = replicationPassword,
        };

        // 4. First member: fresh initdb, leader.
        var first = hosts.Hosts[0];
        await RunAsync("etcdctl put owner marker", Etcdctl("put", ownership.DcsKey, ownership.Marker(false).ToJson()), DiagnosticCatalog.DcsUnreachable, ct);
        await StartPatroniAsync(first, env, ct);
        await WaitAsync([first], $"{first.Name} initialized and leader", async () =>
        {
            var cluster = await TryAsync(() => patroni.GetClusterAsync(first.ApiUrl, ct));
            return cluster?.Leaders.FirstOrDefault() is { State: "running" } leader && leader.Name == first.Name;
        }, ct);

        // 5. Data: every database of the fenced managed primary, pg_dump then pg_restore. Both run on the new
        //    leader's host through its executor (the dump waits in its member dir).
        var leaderEndpoint = new Postgres.Sql.PgEndpoint(first.Host, first.PgPort, superuser, superuserPassword);
        var databases = await DatabasesAsync(source.Endpoint(sourcePassword), ct);
        var dumpDir = $"{first.Dir}/reseed-dump";
        await members.EnsureDirectoryAsync(first, dumpDir, Private, ct);

        var verification = new JsonObject();
        var mismatches = new List<string>();
        foreach (var db in databases)
        {
            await CopyDatabaseAsync(first, db, leaderEndpoint, sourcePassword, superuserPassword, dumpDir, ct);
            var expected = await TableChecksums.ReadAsync(source.Endpoint(sourcePassword, db), ct);
            var actual = await TableChecksums.ReadAsync(leaderEndpoint with { Database = db }, ct);
            var bad = expected.Keys.Union(actual.Keys).Where(t => !expected.TryGetValue(t, out var e) || !actual.TryGetValue(t, out var a) || e != a).ToList();
            mismatches.AddRange(bad.Select(t => $"{db}.{t}"));
            verification[db] = new JsonObject { ["managed"] = TableChecksums.ToJson(expected), ["onprem"] = TableChecksums.ToJson(actual), ["mismatched"] = bad.ToJsonArray() };
        }

        await members.DeleteContentsAsync(first, dumpDir, ct);

        context.Evidence.Check("table_verification", mismatches.Count == 0, (JsonObject)verification.DeepClone(), mismatches.Count == 0 ? null : DiagnosticCatalog.ReseedVerificationFailed.Code);
        if (mismatches.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.ReseedVerificationFailed, $"tables differ from the managed primary: {string.Join(", ", mismatches)}");
        }

        // Application roles: attributes, memberships, ownerships, grants from the managed primary's catalog, passwords from their keys.
        var carried = await roles.CarryAsync(db => source.Endpoint(sourcePassword, db), db => leaderEndpoint with { Database = db }, databases, ct);

        // 6. Replicas are rebuilt by Patroni (pg_basebackup from the new leader).
        foreach (var h in hosts.Hosts.Skip(1))
        {
            await StartPatroniAsync(h, env, ct);
        }

        var others = hosts.Hosts.Skip(1).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        await WaitAsync(hosts.Hosts, $"{others.Count} replica(s) streaming", async () =>
        {
            var status = await TryAsync(() => patroni.GetStatusAsync(first.ApiUrl, ct));
            var streaming = (status?["replication"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(r => r.Str("state") == "streaming").Select(r => r.Str("application_name")).ToHashSet(StringComparer.Ordinal);
            var cluster = await TryAsync(() => patroni.GetClusterAsync(first.ApiUrl, ct));
            return others.All(streaming.Contains) && cluster is not null && hosts.Hosts.All(h => cluster.Members.Any(m => m.Name == h.Name && m.State is "running" or "streaming"));
        }, ct);
        members.RecordRunning(hosts.Hosts);

        // 7. Assess and publish, with the new lineage recorded (MDR-R4: a new system identifier).
        var outputs = await new ClusterAssessment(patroni, context, InventoryOf(superuser, superuserEnv)).RunAsync(ct);
        var finishedAt = context.Time.GetUtcNow();
        var newSystemId = outputs.Str("system_identifier");
        context.Evidence.Check("new_lineage", newSystemId is not null && newSystemId != previousSystemId, new JsonObject
        {
            ["system_identifier"] = newSystemId, ["previous_system_identifier"] = previousSystemId, ["timeline"] = outputs["timeline"]?.DeepClone(),
        });
        outputs["apply_mode"] = "reseed";
        outputs["data_root"] = hosts.DataRoot;
        outputs["hosts_source"] = hosts.Source;
        outputs["reseeded_from"] = source.ToJson();
        outputs["reseeded_from"]!["databases"] = databases.ToJsonArray();
        outputs["verification"] = verification;
        outputs["app_roles"] = carried;
        outputs["restore_started_at"] = startedAt.ToString("O");
        outputs["restore_finished_at"] = finishedAt.ToString("O");
        outputs["restore_duration_s"] = Math.Round((finishedAt - startedAt).TotalSeconds, 1);
        outputs["lineage"] = new JsonObject
        {
            ["kind"] = "new", ["system_identifier"] = newSystemId, ["timeline"] = outputs["timeline"]?.DeepClone(),
            ["previous_system_identifier"] = previousSystemId, ["seeded_from_managed_instance"] = source.Instance,
        };
        await ownership.WriteMarkersAsync(members, hosts.Hosts, completed: true, ct);
        await RunAsync("etcdctl put owner marker", Etcdctl("put", ownership.DcsKey, ownership.Marker(true).ToJson()), DiagnosticCatalog.DcsUnreachable, ct);
        return ModuleOutcome.Ok(outputs);
    }

    private async Task RetireAsync(bool inUse, IReadOnlyList<RestoreHost> dataDirs, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        await members.StopAsync(hosts.Hosts, ct);
        if (inUse && hosts.Hosts.Any(h => RestoreHosts.PortsTaken(h)))
        {
            // The old cluster is the site's own database tier: each member's Patroni service is stopped through
            // its host's service manager (etcd stays).
            var inventory = context.Inputs.State("hosts_state_ref")!.Outputs;
            var stopped = await RetireOverSshAsync(inventory, ct);
            context.Evidence.Action("retire old on-prem database tier", ["site", "retire-database-tier", inventory.Str("site") ?? "onprem"], 0, TimeSpan.Zero,
                new JsonObject { ["stopped"] = stopped.ToJsonArray() });
        }

        foreach (var h in dataDirs)
        {
            await members.DeleteContentsAsync(h, h.DataDir, ct);
            context.Evidence.Action("wipe data dir", ["rm", "-rf", h.DataDir + "/*"], 0, TimeSpan.Zero, new JsonObject { ["host"] = h.Name });
        }

        foreach (var s in scopes)
        {
            await RunAsync($"etcdctl del keys of {s}", Etcdctl("del", "--prefix", $"/service/{s}/"), DiagnosticCatalog.DcsUnreachable, ct);
        }

        context.Progress.Report($"old on-prem cluster retired (wipe_confirm given): {dataDirs.Count} data dir(s) wiped, DCS scopes {string.Join(", ", scopes)} cleared");
    }

    /// <summary>Every member of the inventory whose ports still answer: its Patroni service stopped, its PostgreSQL (the inventory's data_dir) if it outlived it.</summary>
    private async Task<IReadOnlyList<string>> RetireOverSshAsync(JsonObject inventory, CancellationToken ct)
    {
        var stopped = new List<string>();
        foreach (var h in hosts.Hosts.Where(h => RestoreHosts.PortsTaken(h)))
        {
            var member = inventory.Objects("members").First(m => m.Str("name") == h.Name);
            // An inventory published before these keys existed gets the inventory's own defaults.
            var service = (member["patroni"] as JsonObject).Str("service") ?? Inventory.PatroniAccess.DefaultService;
            var dataDir = (member["postgres"] as JsonObject).Str("data_dir") ?? Inventory.PostgresLayout.Debian.DataDir;
            context.Progress.Report($"retiring the old cluster on {h.Name}: stopping its Patroni service '{service}' ({h.ServiceManager})");
            stopped.AddRange(await members.RetireSiteMemberAsync(h, service, dataDir, ct));
        }

        // A stopped Patroni has shut its PostgreSQL down; the ports are free once both have exited.
        var until = context.Time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (hosts.Hosts.Any(h => RestoreHosts.PortsTaken(h)) && context.Time.GetUtcNow() < until)
        {
            await Task.Delay(200, ct);
        }

        return stopped;
    }

    /// <summary>The data dirs and DCS keys of this module's own unfinished run (its processes are already stopped).</summary>
    private async Task WipeOwnAsync(IReadOnlyList<RestoreHost> dataDirs, bool hasKeys, CancellationToken ct)
    {
        foreach (var h in dataDirs)
        {
            await members.DeleteContentsAsync(h, h.DataDir, ct);
            context.Evidence.Action("wipe own unfinished data dir", ["rm", "-rf", h.DataDir + "/*"], 0, TimeSpan.Zero, new JsonObject { ["host"] = h.Name });
        }

        if (hasKeys)
        {
            await RunAsync($"etcdctl del keys of {scope}", Etcdctl("del", "--prefix", $"/service/{scope}/"), DiagnosticCatalog.DcsUnreachable, ct);
        }

        context.Progress.Report($"the unfinished reseed's {dataDirs.Count} data dir(s){(hasKeys ? $" and DCS keys of '{scope}'" : "")} removed; building again");
    }

    private static async Task<List<string>> DatabasesAsync(Postgres.Sql.PgEndpoint endpoint, CancellationToken ct)
    {
        await using var conn = await Sql.OpenAsync(endpoint, ct);
        var rows = await Sql.RowsAsync(conn, "select datname from pg_database where datallowconn and not datistemplate order by datname", ct);
        return [.. rows.Select(r => (string)r[0]!)];
    }

    private async Task CopyDatabaseAsync(RestoreHost first, string db, Postgres.Sql.PgEndpoint leader, string sourcePassword, string leaderPassword, string dumpDir, CancellationToken ct)
    {
        if (db != "postgres")
        {
            await using var conn = await Sql.OpenAsync(leader, ct);
            if (await Sql.ScalarAsync<int>(conn, "select count(*)::int from pg_database where datname = $1", ct, db) == 0)
            {
                await Sql.ExecAsync(conn, $"create database {QuoteIdent(db)}", ct);
            }
        }

        var file = $"{dumpDir}/{db}.dump";
        string[] dump = [$"{bin}/pg_dump", "-h", source.Host, "-p", source.Port.ToString(CultureInfo.InvariantCulture), "-U", source.AdminUser, "-d", db, "-Fc", "--no-owner", "--no-privileges",
            "--no-subscriptions", "--no-publications", "-f", file];
        string[] restore = [$"{bin}/pg_restore", "-h", leader.Host, "-p", leader.Port.ToString(CultureInfo.InvariantCulture), "-U", leader.User, "-d", db, "--no-owner", "--no-privileges",
            "--exit-on-error", "--single-transaction", file];
        await OnHostAsync(first, $"pg_dump {db}", dump, sourcePassword, ct);
        await OnHostAsync(first, $"pg_restore {db}", restore, leaderPassword, ct);
    }

    /// <summary>A copy tool on a member host through its executor, as the service user; the password only in its environment.</summary>
    private async Task OnHostAsync(RestoreHost h, string name, IReadOnlyList<string> argv, string password, CancellationToken ct)
    {
        var r = await members.RunAsync(h, argv, new Dictionary<string, string> { ["PGPASSWORD"] = password }, timeout, ct);
        var tail = (r.StdErr + r.StdOut).Trim();
        tail = tail.Length > 1500 ? tail[^1500..] : tail;
        context.Evidence.Action(name, r.Argv, r.ExitCode, r.Duration, new JsonObject { ["host"] = h.Name, ["stderr_tail"] = tail });
        if (r.ExitCode != 0)
        {
            throw HyopsException.From(DiagnosticCatalog.ReseedCopyFailed, $"{name} on {h.Name} exited {r.ExitCode}: {tail}");
        }
    }

    private static string QuoteIdent(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private Task StartPatroniAsync(RestoreHost h, Dictionary<string, string> env, CancellationToken ct) =>
        members.StartPatroniAsync(h, context.Inputs.String("patroni_bin") ?? "/usr/bin/patroni", env, ct);

    private Task WaitAsync(IReadOnlyList<RestoreHost> started, string what, Func<Task<bool>> condition, CancellationToken ct) =>
        PatroniWait.UntilAsync(context, members, started, timeout, DiagnosticCatalog.ReseedNotReady, what, condition, ct);

    private JsonObject InventoryOf(string superuser, string superuserEnv) => new()
    {
        ["cluster_name"] = scope,
        ["members"] = new JsonArray([.. hosts.Hosts.Select(h => (JsonNode?)new JsonObject { ["name"] = h.Name, ["host"] = h.Host, ["pg_port"] = h.PgPort, ["api_url"] = h.ApiUrl })]),
        ["superuser"] = superuser,
        ["superuser_password_env"] = superuserEnv,
    };

    private ProcessSpec Etcdctl(params string[] args) =>
        new(context.Inputs.String("etcdctl_bin") ?? "/usr/bin/etcdctl", [.. hosts.EtcdctlOptions, "--command-timeout=5s", .. args],
            Environment: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" }, Timeout: TimeSpan.FromSeconds(20));

    private async Task<ProcessResult> RunAsync(string name, ProcessSpec spec, DiagnosticDescriptor onFailure, CancellationToken ct)
    {
        var result = await runner.RunAsync(spec, ct);
        var tail = (result.StdErr + result.StdOut).Trim();
        tail = tail.Length > 1500 ? tail[^1500..] : tail;
        context.Evidence.Action(name, result.Argv, result.ExitCode, result.Duration, new JsonObject { ["stderr_tail"] = tail });
        return result.Succeeded ? result : throw HyopsException.From(onFailure, $"{name} exited {result.ExitCode}: {tail}");
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (HyopsException)
        {
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
