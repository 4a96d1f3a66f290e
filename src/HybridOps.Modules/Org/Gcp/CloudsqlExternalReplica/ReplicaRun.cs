using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;
using HybridOps.Providers.Managed;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.CloudsqlExternalReplica;

/// <summary>One run of org/gcp/cloudsql-external-replica: establish, status or destroy of the logical link.</summary>
internal sealed class ReplicaRun(ModuleContext context, DrLink link, PatroniClient patroni, IProcessRunner runner, IManagedPostgresProvider provider)
{
    private string Publication => context.Inputs.String("publication") ?? "hyops_dr";

    private string PgBin(string tool) => Path.Combine(context.Inputs.String("pg_bin_dir") ?? "/usr/lib/postgresql/15/bin", tool);

    public async Task<ModuleOutcome> EstablishAsync(CancellationToken ct)
    {
        var sourceReady = context.Inputs.State("source_state_ref")!.Outputs["ready"] is JsonValue v && v.TryGetValue<bool>(out var r) && r;
        context.Evidence.Check("dr_source_ready", sourceReady, new JsonObject { ["ready"] = sourceReady, ["preflight"] = link.Source["preflight"]?.DeepClone() });
        var roles = new AppRoleCarrier(context, AppRoleSpec.From(context, link.ReplicationUser, link.SourceAdminUser, link.TargetAdminUser));
        await roles.RequireAsync(link.SourceAdmin("postgres"), $"source cluster {link.SourceHost}", ct);
        foreach (var db in link.Databases)
        {
            await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
            await RequireReplicaIdentityAsync(source, db, ct);
            await PrepareSourceAsync(source, ct);
        }

        await DeclareSlotsAsync(ct);
        foreach (var db in link.Databases)
        {
            await EstablishDatabaseAsync(db, ct);
        }

        // The application's roles reach the standby too, so the application logs in on it once promoted.
        var carried = await roles.CarryAsync(link.SourceAdmin, link.TargetAdmin, link.Databases, ct);
        await WaitForSyncAsync(ct);
        var outputs = await StatusOutputsAsync(ct);
        outputs["app_roles"] = carried;
        outputs["established_at"] = Iso(context.Time.GetUtcNow());
        return ModuleOutcome.Ok(outputs);
    }

    public async Task<ModuleOutcome> StatusAsync(CancellationToken ct)
    {
        var outputs = await StatusOutputsAsync(ct);
        outputs["established_at"] = context.Previous?.Outputs["established_at"]?.DeepClone();
        outputs["app_roles"] = context.Previous?.Outputs["app_roles"]?.DeepClone();
        if (outputs["schema_drift"]?["drift"]?.GetValue<bool>() == true)
        {
            var names = outputs["schema_drift"]!["databases"]!.AsArray().SelectMany(d => SchemaDrift.Names(d!.AsObject()).Select(n => $"{d!["database"]}: {n}"));
            return ModuleOutcome.Partial(outputs, DiagnosticCatalog.StandbySchemaDrift.Create($"schema drift between source and standby '{link.TargetName}': {string.Join("; ", names)}"));
        }

        if (outputs.Str("replication_state") == "down")
        {
            return ModuleOutcome.Partial(outputs, DiagnosticCatalog.StandbyApplyStopped.Create($"the apply worker of standby '{link.TargetName}' is not running"));
        }

        if (outputs.Str("replication_state") != "streaming")
        {
            return ModuleOutcome.Partial(outputs, DiagnosticCatalog.ReplicationUnhealthy.Create($"replication_state is '{outputs.Str("replication_state")}'"));
        }

        return outputs["read_only"]!.GetValue<bool>()
            ? ModuleOutcome.Ok(outputs)
            : ModuleOutcome.Partial(outputs, DiagnosticCatalog.StandbyNotReadOnly.Create($"standby '{link.TargetName}' accepts client writes (see the standby_read_only check)"));
    }

    /// <summary>
    /// apply_mode add_tables (explicit, never automatic): creates the tables the source has and the
    /// standby lacks (schema only, from the source), guards them, refreshes the subscription so the
    /// table sync copies their rows, waits for sync, then reports status like apply_mode status.
    /// </summary>
    public async Task<ModuleOutcome> AddTablesAsync(CancellationToken ct)
    {
        foreach (var db in link.Databases)
        {
            var missing = (await SchemaDrift.CompareAsync(link, db, ct))["tables_missing_on_target"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            context.Evidence.Check("tables_to_add", true, new JsonObject { ["database"] = db, ["tables"] = missing.ToJsonArray() });
            if (missing.Count == 0)
            {
                continue;
            }

            // The table sync reads the new tables as the replication role: grant what dr-source granted for the others.
            await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
            {
                await Sql.ExecAsync(source, $"grant select on {string.Join(", ", missing)} to {Sql.Ident(link.ReplicationUser)}", ct);
            }

            context.Evidence.Check("source_select_granted", true, new JsonObject { ["database"] = db, ["tables"] = missing.ToJsonArray(), ["role"] = link.ReplicationUser });
            await CopySchemaAsync(db, ct, [.. missing.SelectMany(t => new[] { "-t", t })]);
            await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
            await GuardAsync(target, db, ct);
            await Sql.ExecAsync(target, $"alter subscription {Sql.Ident(DrLink.LinkName(db))} refresh publication with (copy_data = true)", ct);
            context.Evidence.Check("subscription_refreshed", true, new JsonObject { ["database"] = db, ["subscription"] = DrLink.LinkName(db), ["tables_added"] = missing.ToJsonArray() });
        }

        await WaitForSyncAsync(ct);
        return await StatusAsync(ct);
    }

    public async Task<ModuleOutcome> DestroyAsync(CancellationToken ct)
    {
        foreach (var db in link.Databases)
        {
            if (!await ReplicationProbe.TargetHasDatabaseAsync(link, db, ct))
            {
                continue;
            }

            await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
            var name = DrLink.LinkName(db);
            if (await Sql.ScalarAsync<int>(target, "select count(*)::int from pg_subscription where subname = $1", ct, name) == 1)
            {
                // Detach from the slot first: the slot is Patroni's (permanent) and is retired below through Patroni.
                await Sql.ExecAsync(target, $"alter subscription {Sql.Ident(name)} disable", ct);
                await Sql.ExecAsync(target, $"alter subscription {Sql.Ident(name)} set (slot_name = NONE)", ct);
                await Sql.ExecAsync(target, $"drop subscription {Sql.Ident(name)}", ct);
                context.Evidence.Check("subscription_dropped", true, new JsonObject { ["database"] = db, ["subscription"] = name });
            }
        }

        var sourceReachable = await ReplicationProbe.SourceReachableAsync(link, ct);
        if (sourceReachable)
        {
            await RetireSlotsAsync(ct);
            foreach (var db in link.Databases)
            {
                await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
                await Sql.ExecAsync(source, $"drop publication if exists {Sql.Ident(Publication)}", ct);
                await Sql.ExecAsync(source, "drop schema if exists hyops_dr cascade", ct);
                context.Evidence.Check("source_publication_dropped", true, new JsonObject { ["database"] = db, ["publication"] = Publication });
            }
        }
        else
        {
            context.Evidence.Note("source unreachable: its publication and slots were left in place (drop them when the site is back)");
        }

        var confirm = context.Inputs.String("drop_target_data_confirm");
        if (confirm == link.TargetName)
        {
            context.Evidence.Guard("drop_target_data_confirm", true, new JsonObject { ["instance_name"] = link.TargetName, ["data_destructive"] = true });
            await using var admin = await Sql.OpenAsync(link.TargetAdmin("postgres"), ct);
            foreach (var db in link.Databases)
            {
                await Sql.ExecAsync(admin, $"drop database if exists {Sql.Ident(db)} with (force)", ct);
            }

            context.Evidence.Check("target_data_dropped", true, new JsonObject { ["databases"] = link.Databases.ToJsonArray() });
        }
        else
        {
            context.Evidence.Check("target_data_kept", true, new JsonObject { ["databases"] = link.Databases.ToJsonArray(), ["instance"] = link.TargetName });
        }

        return ModuleOutcome.Destroyed();
    }

    private async Task RequireReplicaIdentityAsync(NpgsqlConnection source, string db, CancellationToken ct)
    {
        var missing = (await Sql.RowsAsync(source, """
            select n.nspname || '.' || c.relname
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
              and (c.relreplident = 'n' or (c.relreplident = 'd' and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary)))
            order by 1
            """, ct)).Select(row => (string)row[0]!).ToList();
        context.Evidence.Check("tables_have_replica_identity", missing.Count == 0, new JsonObject { ["database"] = db, ["tables_without_pk"] = missing.ToJsonArray() },
            missing.Count == 0 ? null : DiagnosticCatalog.ReplicationSetupFailed.Code);
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.ReplicationSetupFailed,
                $"database '{db}': tables without primary key or replica identity would reject UPDATE/DELETE once published: {string.Join(", ", missing)}");
        }
    }

    private async Task PrepareSourceAsync(NpgsqlConnection source, CancellationToken ct)
    {
        await DrMarkerTables.EnsureAsync(source, link.ReplicationUser, ct);
        if (await Sql.ScalarAsync<int>(source, "select count(*)::int from pg_publication where pubname = $1", ct, Publication) == 0)
        {
            await Sql.ExecAsync(source, $"create publication {Sql.Ident(Publication)} for all tables", ct);
        }

        context.Evidence.Check("source_prepared", true, new JsonObject { ["database"] = source.Database, ["publication"] = Publication, ["heartbeat"] = "hyops_dr.heartbeat", ["barrier"] = "hyops_dr.barrier" });
    }

    /// <summary>Logical slots as Patroni permanent slots: Patroni drops unknown slots, and keeps permanent ones across failover.</summary>
    private async Task DeclareSlotsAsync(CancellationToken ct)
    {
        var slots = new JsonObject();
        foreach (var db in link.Databases)
        {
            slots[DrLink.LinkName(db)] = new JsonObject { ["type"] = "logical", ["database"] = db, ["plugin"] = "pgoutput" };
        }

        await PatchSlotsAsync(slots, TableSyncSlots.WithMatchers, ct);
        foreach (var db in link.Databases)
        {
            await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
            var name = DrLink.LinkName(db);
            var lsn = await PollAsync(TimeSpan.FromSeconds(60), async () =>
                await Sql.ScalarAsync<string>(source, "select confirmed_flush_lsn::text from pg_replication_slots where slot_name = $1 and database = $2", ct, name, db), ct);
            context.Evidence.Check("source_slot_present", lsn is not null, new JsonObject { ["slot"] = name, ["database"] = db, ["confirmed_flush_lsn"] = lsn },
                lsn is null ? DiagnosticCatalog.ReplicationSetupFailed.Code : null);
            if (lsn is null)
            {
                throw HyopsException.From(DiagnosticCatalog.ReplicationSetupFailed, $"Patroni did not create the logical slot '{name}' on the leader within 60s");
            }
        }
    }

    /// <summary>PATCH /config with the link's slots and its ignore_slots matchers as <paramref name="matchers"/> makes them from the current ones.</summary>
    private async Task PatchSlotsAsync(JsonObject slots, Func<JsonArray?, IEnumerable<string>, JsonArray> matchers, CancellationToken ct)
    {
        var (_, api) = await patroni.GetClusterFromAnyAsync(link.PatroniApis, ct);
        var config = await patroni.GetConfigAsync(api, ct);
        var ignore = matchers(config["ignore_slots"] as JsonArray, link.Databases);
        // null removes the key from the DCS config when no matcher is left.
        await patroni.PatchConfigAsync(api, new JsonObject { ["slots"] = slots.DeepClone(), ["ignore_slots"] = ignore.Count == 0 ? null : ignore.DeepClone() }, ct);
        context.Evidence.Action("patroni_patch_config_slots", ["PATCH", $"{api}/config"], 0, TimeSpan.Zero, new JsonObject { ["slots"] = slots, ["ignore_slots"] = ignore });
    }

    private async Task RetireSlotsAsync(CancellationToken ct)
    {
        var slots = new JsonObject();
        foreach (var db in link.Databases)
        {
            slots[DrLink.LinkName(db)] = null;
        }

        await PatchSlotsAsync(slots, TableSyncSlots.WithoutMatchers, ct);
        foreach (var db in link.Databases)
        {
            await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
            var name = DrLink.LinkName(db);
            var gone = await PollAsync(TimeSpan.FromSeconds(20), async () =>
            {
                await Sql.ExecAsync(source, "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active", ct, name);
                return await Sql.ScalarAsync<int>(source, "select count(*)::int from pg_replication_slots where slot_name = $1", ct, name) == 0 ? "gone" : null;
            }, ct);
            context.Evidence.Check("source_slot_dropped", gone is not null, new JsonObject { ["slot"] = name });
        }
    }

    private async Task EstablishDatabaseAsync(string db, CancellationToken ct)
    {
        var name = DrLink.LinkName(db);
        await using (var admin = await Sql.OpenAsync(link.TargetAdmin("postgres"), ct))
        {
            if (await Sql.ScalarAsync<int>(admin, "select count(*)::int from pg_database where datname = $1", ct, db) == 0)
            {
                await Sql.ExecAsync(admin, $"create database {Sql.Ident(db)}", ct);
                context.Evidence.Check("target_database_created", true, new JsonObject { ["database"] = db });
            }
        }

        await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
        if (await Sql.ScalarAsync<int>(target, "select count(*)::int from pg_subscription where subname = $1", ct, name) == 1)
        {
            context.Evidence.Note($"database '{db}': subscription {name} exists; schema copy and subscription creation skipped");
            await GuardAsync(target, db, ct);
            return;
        }

        var tables = await Sql.ScalarAsync<long>(target,
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema')", ct);
        if (tables > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.SchemaCopyFailed, $"target database '{db}' on {link.TargetName} already has {tables} tables and no subscription; drop it or destroy with drop_target_data_confirm");
        }

        await CopySchemaAsync(db, ct);
        await GuardAsync(target, db, ct);
        // The password stays out of the managed catalog and WAL: the conninfo names a passfile on the
        // managed host that only the server user reads (provider-kept), never the password itself.
        var passfile = await provider.PutSourcePassfileAsync(link.TargetName, link.SourceHost, link.SourcePort, link.ReplicationUser, link.ReplicationPassword, ct);
        var conninfo = $"host={Sql.ConnValue(link.SourceHost)} port={link.SourcePort} dbname={Sql.ConnValue(db)} user={Sql.ConnValue(link.ReplicationUser)} "
            + $"passfile={Sql.ConnValue(passfile)} application_name={Sql.ConnValue(name)}";
        // A failing statement is echoed into the server log (log_min_error_statement): keep the conninfo out of it.
        await Sql.ExecAsync(target, "set log_min_error_statement = panic", ct);
        try
        {
            await Sql.ExecAsync(target,
                $"create subscription {Sql.Ident(name)} connection {Sql.Literal(conninfo)} publication {Sql.Ident(Publication)} "
                + $"with (create_slot = false, slot_name = {Sql.Literal(name)}, copy_data = true, enabled = true)", ct);
        }
        catch (PostgresException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.ReplicationSetupFailed, $"create subscription {name} on {link.TargetName}/{db}: {ex.SqlState} {ex.MessageText}");
        }

        context.Evidence.Check("subscription_created", true, new JsonObject
        {
            ["database"] = db,
            ["subscription"] = name,
            ["slot"] = name,
            ["publication"] = Publication,
            ["conninfo"] = $"host={link.SourceHost} port={link.SourcePort} dbname={db} user={link.ReplicationUser} passfile={passfile}",
            ["passfile"] = new JsonObject { ["path"] = passfile, ["mode"] = "0600", ["owner"] = "server user", ["password_from"] = link.ReplicationPasswordEnv },
        });
    }

    /// <summary>The standby's client write guard on every table of the database (the apply worker is not affected).</summary>
    private async Task GuardAsync(Npgsql.NpgsqlConnection target, string db, CancellationToken ct)
    {
        var guarded = await StandbyWriteGuard.InstallAsync(target, ct);
        context.Evidence.Check("standby_write_guard", true, new JsonObject { ["database"] = db, ["tables_guarded_now"] = guarded.ToJsonArray(), ["schema"] = StandbyWriteGuard.Schema });
    }

    private async Task CopySchemaAsync(string db, CancellationToken ct, IReadOnlyList<string>? only = null)
    {
        var user = ProcessIdentity.ServiceUserOrNull(context.Inputs.String("os_user") ?? "postgres");
        var dump = await runner.RunAsync(new ProcessSpec(PgBin("pg_dump"),
            ["-h", link.SourceHost, "-p", link.SourcePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", link.SourceAdminUser, "-d", db,
             "--schema-only", "--no-owner", "--no-privileges", "--no-publications", "--no-subscriptions", .. only ?? []],
            WorkingDirectory: "/", Environment: new Dictionary<string, string> { ["PGPASSWORD"] = link.SourceAdminPassword }, RunAsUser: user, Timeout: TimeSpan.FromMinutes(5)), ct);
        context.Evidence.Action("pg_dump --schema-only", dump.Argv, dump.ExitCode, dump.Duration, new JsonObject { ["bytes"] = dump.StdOut.Length, ["stderr"] = dump.StdErr.Trim() });
        if (!dump.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.SchemaCopyFailed, $"pg_dump of {link.SourceHost}/{db} exited with {dump.ExitCode}: {dump.StdErr.Trim()}");
        }

        var load = await runner.RunAsync(new ProcessSpec(PgBin("psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", link.TargetHost, "-p", link.TargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", link.TargetAdminUser, "-d", db],
            WorkingDirectory: "/", Environment: new Dictionary<string, string> { ["PGPASSWORD"] = link.TargetPassword, ["PGOPTIONS"] = DrLink.AdminSessionOptions },
            RunAsUser: user, StdinText: dump.StdOut, Timeout: TimeSpan.FromMinutes(5)), ct);
        context.Evidence.Action("psql < schema", load.Argv, load.ExitCode, load.Duration, new JsonObject { ["stderr"] = load.StdErr.Trim() });
        if (!load.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.SchemaCopyFailed, $"psql into {link.TargetName}/{db} exited with {load.ExitCode}: {load.StdErr.Trim()}");
        }
    }

    private async Task WaitForSyncAsync(CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("sync_timeout_s") ?? 180);
        var started = context.Time.GetTimestamp();
        while (true)
        {
            var links = new List<LinkStatus>();
            foreach (var db in link.Databases)
            {
                links.Add(await ReplicationProbe.ProbeAsync(link, db, sourceReachable: false, ct));
            }

            if (links.All(l => l.Healthy) || context.Time.GetElapsedTime(started) >= timeout)
            {
                var synced = links.All(l => l.Healthy);
                var pending = new Dictionary<string, string>();
                foreach (var l in links.Where(l => !l.Healthy))
                {
                    pending[l.Database] = await PendingTablesAsync(l.Database, ct);
                }

                context.Evidence.Check("initial_copy_complete", synced, new JsonObject
                {
                    ["links"] = new JsonArray(links.Select(l => (JsonNode?)l.ToJson()).ToArray()),
                    ["not_ready"] = new JsonObject(pending.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                    ["waited_s"] = Math.Round(context.Time.GetElapsedTime(started).TotalSeconds, 1),
                }, synced ? null : DiagnosticCatalog.InitialSyncTimeout.Code);
                if (!synced)
                {
                    throw HyopsException.From(DiagnosticCatalog.InitialSyncTimeout, $"tables not ready after {timeout.TotalSeconds:F0}s: "
                        + string.Join(", ", links.Select(l => $"{l.Database} {l.ReadyTables}/{l.TotalTables}" + (pending.TryGetValue(l.Database, out var p) ? $" ({p})" : ""))));
                }

                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.Time, ct);
        }
    }

    /// <summary>The tables of a link not yet ready, with their sync state, and the subscription's error counts.</summary>
    private async Task<string> PendingTablesAsync(string db, CancellationToken ct)
    {
        if (!await ReplicationProbe.TargetHasDatabaseAsync(link, db, ct))
        {
            return "no database on the target";
        }

        await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
        var name = DrLink.LinkName(db);
        var tables = await Sql.RowsAsync(target, """
            select r.srrelid::regclass::text, r.srsubstate::text
            from pg_subscription_rel r join pg_subscription s on s.oid = r.srsubid
            where s.subname = $1 and r.srsubstate <> 'r' order by 1
            """, ct, name);
        var errors = await Sql.RowsAsync(target, "select sync_error_count, apply_error_count from pg_stat_subscription_stats where subname = $1", ct, name);
        var states = string.Join(", ", tables.Select(t => $"{t[0]} state {t[1]}"));
        return errors.Count == 1 ? $"{states}; sync errors {errors[0][0]}, apply errors {errors[0][1]}" : states;
    }

    private async Task<JsonObject> StatusOutputsAsync(CancellationToken ct)
    {
        var sourceReachable = await ReplicationProbe.SourceReachableAsync(link, ct);
        double? lagSeconds = null;
        if (sourceReachable)
        {
            var wait = TimeSpan.FromSeconds(context.Inputs.Values.Int("heartbeat_wait_s") ?? 10);
            foreach (var db in link.Databases)
            {
                var lag = await ReplicationProbe.HeartbeatLagAsync(link, db, wait, context.Time, ct);
                lagSeconds = lag is null ? lagSeconds : Math.Max(lagSeconds ?? 0, lag.Value);
            }
        }

        var links = new List<LinkStatus>();
        foreach (var db in link.Databases)
        {
            links.Add(await ReplicationProbe.ProbeAsync(link, db, sourceReachable, ct));
        }

        var state = ReplicationProbe.StateOf(links, sourceReachable);
        var guards = new JsonArray();
        foreach (var db in link.Databases.Where(d => links.Any(l => l.Database == d && l.SubscriptionExists)))
        {
            guards.Add((JsonNode)await StandbyWriteGuard.ProbeAsync(link, db, ct));
        }

        JsonObject? drift = null;
        if (sourceReachable)
        {
            var reports = new JsonArray();
            foreach (var db in link.Databases)
            {
                reports.Add((JsonNode)await SchemaDrift.CompareAsync(link, db, ct));
            }

            var any = reports.Any(r => r!["drift"]!.GetValue<bool>());
            drift = new JsonObject { ["drift"] = any, ["databases"] = reports };
            context.Evidence.Check("schema_drift", !any, drift.DeepClone().AsObject(), any ? DiagnosticCatalog.StandbySchemaDrift.Code : null);
        }

        var readOnly = guards.Count == link.Databases.Count && guards.All(g => g!["read_only"]!.GetValue<bool>());
        context.Evidence.Check("standby_read_only", readOnly, new JsonObject { ["databases"] = guards.DeepClone() });
        long? lagBytes = links.Any(l => l.LagBytes is null) ? null : links.Max(l => l.LagBytes!.Value);
        context.Evidence.Check("replication_status", state == "streaming", new JsonObject
        {
            ["replication_state"] = state,
            ["lag_bytes"] = lagBytes,
            ["lag_seconds"] = lagSeconds,
            ["links"] = new JsonArray(links.Select(l => (JsonNode?)l.ToJson()).ToArray()),
        });
        var outputs = link.Identifiers();
        outputs["publication"] = Publication;
        outputs["slots"] = link.Databases.Select(DrLink.LinkName).ToJsonArray();
        outputs["subscriptions"] = link.Databases.Select(DrLink.LinkName).ToJsonArray();
        outputs["lag_bytes"] = lagBytes;
        outputs["lag_seconds"] = lagSeconds;
        outputs["replication_state"] = state;
        outputs["read_only"] = readOnly;
        outputs["schema_drift"] = drift;
        outputs["subscriptions_enabled"] = links.All(l => l.Enabled);
        outputs["synced_tables"] = links.Sum(l => l.ReadyTables);
        outputs["total_tables"] = links.Sum(l => l.TotalTables);
        outputs["last_status_at"] = Iso(context.Time.GetUtcNow());
        return outputs;
    }

    private async Task<string?> PollAsync(TimeSpan timeout, Func<Task<string?>> probe, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (context.Time.GetElapsedTime(started) >= timeout)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.Time, ct);
        }
    }

    internal static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}
