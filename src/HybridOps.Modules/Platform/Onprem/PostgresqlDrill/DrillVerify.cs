using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Hosts;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrill;

/// <summary>
/// apply_mode verify, on the DRILL cluster only: a write proves it writable; the manifest recomputed
/// there is compared table by table with the marker's; the marker row is looked up; pg_amcheck runs on
/// the drill leader's host through its executor (--install-missing puts amcheck into the drill cluster
/// only); restore, replay and time-to-writable are measured from the server's own clocks. Any failed
/// check makes the outcome partial (the figures are still published) so the teardown step still runs.
/// </summary>
internal sealed class DrillVerify(ModuleContext context, JsonObject marker, HaClusterState drill, JsonObject drillOutputs)
{
    public async Task<ModuleOutcome> RunAsync(CancellationToken ct)
    {
        var production = (marker["source_members"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        if (production.Contains(drill.LeaderHost) || drill.ClusterName == marker.Str("source_cluster_name"))
        {
            throw HyopsException.From(DiagnosticCatalog.DrillTargetCollides, $"drill cluster '{drill.ClusterName}' at {drill.LeaderHost} is production's name or host; verify reads the drill cluster only");
        }

        var database = marker.Str("database") ?? "postgres";
        var endpoint = new PgEndpoint(drill.LeaderHost, drill.LeaderPort, drill.DbUser, context.Secrets.Resolve(drill.DbPasswordEnv), database);
        var failures = new List<Diagnostic>();
        var outputs = new JsonObject { ["apply_mode"] = "verify", ["restore_point"] = marker.Str("restore_point"), ["drill_cluster_name"] = drill.ClusterName, ["drill_leader_host"] = drill.LeaderHost };

        await using var session = await PgSession.OpenAsync(endpoint, ct);
        var writableAt = await WriteProbeAsync(session, failures, ct);
        outputs["writable_at"] = writableAt?.ToString("O");
        var lineage = await session.ScalarAsync<string>("select system_identifier::text from pg_control_system()", ct);
        Check(failures, "same_lineage", lineage == marker.Str("source_system_identifier"), DiagnosticCatalog.DrillManifestMismatch,
            new JsonObject { ["drill_system_identifier"] = lineage, ["production_system_identifier"] = marker.Str("source_system_identifier") },
            $"drill system identifier {lineage} is not production's {marker.Str("source_system_identifier")}");

        outputs["manifest"] = await CompareManifestAsync(session, failures, ct);
        outputs["manifest_matched"] = !failures.Any(f => f.Code == DiagnosticCatalog.DrillManifestMismatch.Code);
        if (marker.Str("marker_table") is { } table)
        {
            var t = DrillTable.Parse(table, "marker_table");
            var found = await session.ScalarAsync<long>($"select count(*) from {t.Sql} where restore_point = $1", ct, marker.Str("restore_point")!);
            outputs["marker_row_found"] = found == 1;
            Check(failures, "marker_row_present", found == 1, DiagnosticCatalog.DrillManifestMismatch, new JsonObject { ["table"] = table, ["rows"] = found },
                $"the marker row of {marker.Str("restore_point")} is not in {table} on the drill cluster");
        }

        var amcheck = await AmcheckAsync(failures, ct);
        outputs["amcheck"] = amcheck;
        outputs["amcheck_clean"] = amcheck["clean"]!.GetValue<bool>();
        outputs["timings"] = await TimingsAsync(session, writableAt, ct);
        outputs["writes_blocked_ms"] = marker["writes_blocked_ms"]?.DeepClone();
        outputs["verified"] = failures.Count == 0;
        return failures.Count == 0 ? ModuleOutcome.Ok(outputs) : ModuleOutcome.Partial(outputs, failures[0]);
    }

    private async Task<DateTimeOffset?> WriteProbeAsync(PgSession session, List<Diagnostic> failures, CancellationToken ct)
    {
        // Assigning a transaction id is refused during recovery: a committed one proves the drill leader takes writes.
        string? xid = null;
        string? error = null;
        try
        {
            await session.ExecuteAsync("begin", ct);
            xid = await session.ScalarAsync<string>("select pg_current_xact_id()::text", ct);
            await session.ExecuteAsync("commit", ct);
        }
        catch (HyopsException ex)
        {
            error = ex.Diagnostics[0].Message;
        }

        var at = xid is null ? (DateTimeOffset?)null : context.Time.GetUtcNow();
        Check(failures, "drill_writable", xid is not null, DiagnosticCatalog.DrillNotWritable, new JsonObject { ["xid"] = xid, ["error"] = error },
            $"a transaction id could not be assigned on the drill leader: {error}");
        return at;
    }

    private async Task<JsonObject> CompareManifestAsync(PgSession session, List<Diagnostic> failures, CancellationToken ct)
    {
        var expected = DrillManifest.FromJson(marker["manifest"] as JsonObject);
        await session.ExecuteAsync("begin isolation level repeatable read", ct);
        List<DrillManifest.Entry> actual;
        try
        {
            await session.ExecuteAsync(DrillManifest.SessionSettings, ct);
            actual = await DrillManifest.ComputeAsync(session.Connection, expected.Select(e => DrillTable.Parse(e.Table, "manifest table")), marker["row_cap"]?.GetValue<long>() ?? long.MaxValue, ct);
            await session.ExecuteAsync("commit", ct);
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, session.Endpoint);
        }

        var tables = new JsonObject();
        var mismatched = new List<string>();
        foreach (var e in expected)
        {
            var a = actual.First(x => x.Table == e.Table);
            var same = a.Rows == e.Rows && a.Checksum == e.Checksum;
            if (!same)
            {
                mismatched.Add($"{e.Table} (rows {a.Rows} vs {e.Rows}{(a.Checksum == e.Checksum ? "" : ", checksum differs")})");
            }

            tables[e.Table] = new JsonObject { ["rows"] = a.Rows, ["expected_rows"] = e.Rows, ["checksum"] = a.Checksum, ["expected_checksum"] = e.Checksum, ["matched"] = same };
        }

        Check(failures, "manifest_matched", mismatched.Count == 0, DiagnosticCatalog.DrillManifestMismatch,
            new JsonObject { ["tables"] = expected.Count, ["mismatched"] = mismatched.ToJsonArray(), ["capped"] = expected.Count(e => e.Checksum is null) },
            $"{mismatched.Count} of {expected.Count} table(s) differ: {string.Join("; ", mismatched)}");
        return tables;
    }

    private async Task<JsonObject> AmcheckAsync(List<Diagnostic> failures, CancellationToken ct)
    {
        var hostEntry = (context.Inputs.State("hosts_state_ref")?.Outputs).Objects("hosts").FirstOrDefault(h => h.Str("host") == drill.LeaderHost);
        var site = hostEntry is not null && (hostEntry["ssh"] as JsonObject).Str("transport") == SiteHost.SshTransport
            ? InventoryHosts.ToSiteHost(hostEntry)
            : new SiteHost(drill.LeaderName, drill.LeaderHost) { Transport = SiteHost.LocalTransport };
        var socketDir = Path.Combine(drillOutputs.Str("data_root") ?? "/var/lib/postgresql/hyops", drill.LeaderName, "run");
        var bin = context.Inputs.String("postgres_bin_dir") ?? "/usr/lib/postgresql/15/bin";
        string[] argv = [Path.Combine(bin, "pg_amcheck"), "--install-missing", "--all", "--no-password",
            "-h", socketDir, "-p", drill.LeaderPort.ToString(CultureInfo.InvariantCulture), "-U", drill.DbUser];
        await using var executor = HostExecutors.Create(site);
        var r = await executor.RunAsync(new HostCommand(argv) { RunAs = site.ServiceUser, Timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("amcheck_timeout_s") ?? 300), WorkingDirectory = "/" }, ct);
        context.Evidence.Action("pg_amcheck", r.RedactedArgv, r.ExitCode, r.Duration, new JsonObject { ["host"] = site.ToString(), ["stdout_tail"] = Tail(r.StdOut), ["stderr_tail"] = Tail(r.StdErr) });
        var clean = r.Succeeded && r.StdOut.Trim().Length == 0;
        Check(failures, "amcheck_clean", clean, DiagnosticCatalog.DrillAmcheckFailed, new JsonObject { ["exit_code"] = r.ExitCode, ["host"] = site.Name },
            $"pg_amcheck on {site.Name} exited {r.ExitCode}: {Tail(r.StdOut + r.StdErr)}");
        return new JsonObject { ["clean"] = clean, ["exit_code"] = r.ExitCode, ["host"] = site.Name, ["duration_s"] = Math.Round(r.Duration.TotalSeconds, 2) };
    }

    /// <summary>
    /// From the drill server's own files: recovery began when it renamed pgBackRest's backup_label to
    /// backup_label.old (that file's change time) and ended at the promotion (the newest timeline history
    /// file). restore_s: restore start (the restore step) to recovery start (files copied, server
    /// started); replay_s: recovery start to promotion; time_to_writable_s: restore start to the verify write.
    /// </summary>
    private async Task<JsonObject> TimingsAsync(PgSession session, DateTimeOffset? writableAt, CancellationToken ct)
    {
        var started = DateTimeOffset.TryParse(drillOutputs.Str("restore_started_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var s) ? s : (DateTimeOffset?)null;
        var rows = await session.QueryAsync(
            "select (pg_stat_file('backup_label.old', true)).change, (select max(modification) from pg_ls_waldir() where name like '%.history'), pg_postmaster_start_time()",
            r => (Recovery: r.IsDBNull(0) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(0), Promoted: r.IsDBNull(1) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(1),
                Postmaster: r.GetFieldValue<DateTimeOffset>(2)), ct);
        var (recovery, promoted, postmaster) = rows[0];
        static double? Seconds(DateTimeOffset? from, DateTimeOffset? to) => from is { } a && to is { } b && b >= a ? Math.Round((b - a).TotalSeconds, 3) : null;
        return new JsonObject
        {
            ["restore_started_at"] = started?.ToString("O"), ["recovery_started_at"] = recovery?.ToString("O"), ["promoted_at"] = promoted?.ToString("O"),
            ["postmaster_started_at"] = postmaster.ToString("O"),
            ["restore_s"] = Seconds(started, recovery), ["replay_s"] = Seconds(recovery, promoted), ["time_to_writable_s"] = Seconds(started, writableAt),
            ["restore_step_s"] = drillOutputs["restore_duration_s"]?.DeepClone(),
        };
    }

    private void Check(List<Diagnostic> failures, string name, bool ok, DiagnosticDescriptor descriptor, JsonObject observed, string message)
    {
        context.Evidence.Check(name, ok, observed, ok ? null : descriptor.Code);
        if (!ok)
        {
            failures.Add(HyopsException.From(descriptor, message).Diagnostics[0]);
        }
    }

    private static string Tail(string s) => s.Length > 1500 ? s[^1500..].Trim() : s.Trim();
}
