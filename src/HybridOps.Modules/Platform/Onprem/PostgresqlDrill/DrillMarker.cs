using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrill;

/// <summary>
/// apply_mode marker, on the PRODUCTION leader: (1) optionally a marker row, committed on its own;
/// (2) one transaction that takes EXCLUSIVE locks on the manifest tables (writers wait, readers do
/// not; lock_timeout_ms so a long holder fails the drill, never production), computes the manifest and
/// creates the restore point, then commits: no write to those tables can fall between the manifest and
/// the point; (3) pg_switch_wal and a wait until that segment is archived. Nothing else is written.
/// </summary>
internal sealed class DrillMarker(ModuleContext context, DrillInputs inputs, HaClusterState cluster)
{
    private const string LockNotAvailable = "55P03";
    private const string QueryCanceled = "57014";

    public async Task<JsonObject> RunAsync(CancellationToken ct)
    {
        var endpoint = new PgEndpoint(cluster.LeaderHost, cluster.LeaderPort, cluster.DbUser, context.Secrets.Resolve(cluster.DbPasswordEnv), inputs.Database);
        await using var session = await PgSession.OpenAsync(endpoint, ct);
        if (await session.ScalarAsync<bool>("select pg_is_in_recovery()", ct))
        {
            throw HyopsException.From(DiagnosticCatalog.LeaderMismatch, $"{cluster.LeaderName} ({cluster.LeaderHost}) is in recovery; redeploy platform/onprem/postgresql-ha so its state names the leader");
        }

        var tables = inputs.ManifestTables.IsEmpty ? await UserTablesAsync(session, ct) : [.. inputs.ManifestTables];
        // Before anything is written: every named table exists (the marker table may be created below).
        var missing = await session.QueryAsync("select t from unnest($1::text[]) t where to_regclass(t) is null", r => r.GetString(0), ct,
            new object[] { tables.Where(t => t != inputs.MarkerTable).Select(t => t.Sql).ToArray() });
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid, $"manifest table(s) {string.Join(", ", missing)} do not exist in database '{inputs.Database}'; nothing was written or locked");
        }

        if (inputs.MarkerTable is { } markerTable)
        {
            await session.ExecuteAsync($"create table if not exists {markerTable.Sql} (restore_point text primary key, created_at timestamptz not null default now())", ct);
            await session.ExecuteAsync($"insert into {markerTable.Sql} (restore_point) values ($1)", ct, inputs.RestorePoint);
            context.Evidence.Action("insert marker row", ["INSERT", markerTable.ToString(), inputs.RestorePoint], 0, TimeSpan.Zero);
            if (!tables.Contains(markerTable))
            {
                tables.Add(markerTable);
            }
        }

        // Taken before the lock: every backup that stopped before it stopped before the restore point (the restore picks by it).
        var createdAt = context.Time.GetUtcNow();
        var (manifest, point, lockWaitMs, blockedMs) = await LockedManifestAsync(session, tables, ct);
        var segment = await session.ScalarAsync<string>("select pg_walfile_name(pg_switch_wal())", ct);
        context.Evidence.Check("restore_point_created", true, new JsonObject
        {
            ["restore_point"] = inputs.RestorePoint, ["lsn"] = point, ["wal_segment"] = segment, ["tables"] = manifest.Count,
            ["lock_wait_ms"] = lockWaitMs, ["writes_blocked_ms"] = blockedMs, ["lock_timeout_ms"] = inputs.LockTimeoutMs,
        });
        var archived = await WaitArchivedAsync(session, segment, ct);
        return new JsonObject
        {
            ["apply_mode"] = "marker",
            ["restore_point"] = inputs.RestorePoint,
            ["restore_point_lsn"] = point,
            ["wal_segment"] = segment,
            ["archived_at"] = archived.ToString("O"),
            ["created_at"] = createdAt.ToString("O"),
            ["database"] = inputs.Database,
            ["source_cluster_name"] = cluster.ClusterName,
            ["source_system_identifier"] = cluster.SystemIdentifier,
            ["source_leader"] = cluster.LeaderName,
            ["source_members"] = cluster.Members.Select(m => m.Host).ToJsonArray(),
            ["marker_table"] = inputs.MarkerTable?.ToString(),
            ["manifest"] = DrillManifest.ToJson(manifest),
            ["row_cap"] = inputs.RowCap,
            ["lock_mode"] = "EXCLUSIVE",
            ["lock_wait_ms"] = lockWaitMs,
            ["writes_blocked_ms"] = blockedMs,
        };
    }

    /// <summary>The manifest and the restore point inside one locked transaction; the lock's wait and hold in ms.</summary>
    private async Task<(List<DrillManifest.Entry> Manifest, string Lsn, double LockWaitMs, double BlockedMs)> LockedManifestAsync(PgSession session, List<DrillTable> tables, CancellationToken ct)
    {
        await session.ExecuteAsync("begin", ct);
        try
        {
            await session.ExecuteAsync(DrillManifest.SessionSettings, ct);
            await session.ExecuteAsync($"set local lock_timeout = {inputs.LockTimeoutMs.ToString(CultureInfo.InvariantCulture)}; set local statement_timeout = {inputs.LockHoldTimeoutMs.ToString(CultureInfo.InvariantCulture)}", ct);
            var t0 = context.Time.GetTimestamp();
            await RawAsync(session, $"lock table {string.Join(", ", tables.Select(t => t.Sql))} in exclusive mode", tables, ct);
            var lockWait = context.Time.GetElapsedTime(t0).TotalMilliseconds;
            List<DrillManifest.Entry> manifest;
            string lsn;
            try
            {
                manifest = await DrillManifest.ComputeAsync(session.Connection, tables, inputs.RowCap, ct);
            }
            catch (PostgresException ex) when (ex.SqlState == QueryCanceled)
            {
                throw HyopsException.From(DiagnosticCatalog.DrillLockTimeout, $"the manifest took longer than lock_hold_timeout_ms {inputs.LockHoldTimeoutMs}; the lock was released (lower row_cap or name fewer tables)");
            }
            catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
            {
                throw PgErrors.Classify(ex, session.Endpoint);
            }

            lsn = await session.ScalarAsync<string>("select pg_create_restore_point($1)::text", ct, inputs.RestorePoint);

            await session.ExecuteAsync("commit", ct);
            return (manifest, lsn, Math.Round(lockWait, 1), Math.Round(context.Time.GetElapsedTime(t0).TotalMilliseconds, 1));
        }
        catch
        {
            await RollbackAsync(session);
            throw;
        }
    }

    private async Task RawAsync(PgSession session, string sql, List<DrillTable> tables, CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(sql, session.Connection);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is LockNotAvailable or QueryCanceled)
        {
            context.Evidence.Check("manifest_locked", false, new JsonObject { ["tables"] = tables.Select(t => t.ToString()).ToJsonArray(), ["sqlstate"] = ex.SqlState }, DiagnosticCatalog.DrillLockTimeout.Code);
            throw HyopsException.From(DiagnosticCatalog.DrillLockTimeout, $"EXCLUSIVE lock on {string.Join(", ", tables)} not granted within {inputs.LockTimeoutMs} ms ({ex.SqlState}); nothing was changed");
        }
    }

    private static async Task RollbackAsync(PgSession session)
    {
        try
        {
            await session.ExecuteAsync("rollback", CancellationToken.None);
        }
        catch (HyopsException)
        {
            // The connection is gone: the server rolled back and released the locks itself.
        }
    }

    private static async Task<List<DrillTable>> UserTablesAsync(PgSession session, CancellationToken ct)
    {
        var names = await session.QueryAsync("""
            select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and not c.relispartition and n.nspname not in ('pg_catalog', 'information_schema')
              and n.nspname not like 'pg\_%' order by 1
            """, r => r.GetString(0), ct);
        if (names.Count > DrillInputs.MaxTables)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid, $"the database has {names.Count} user tables; name at most {DrillInputs.MaxTables} in manifest_tables");
        }

        return [.. names.Select(n => DrillTable.Parse(n, "user table"))];
    }

    private async Task<DateTimeOffset> WaitArchivedAsync(PgSession session, string segment, CancellationToken ct)
    {
        var start = context.Time.GetTimestamp();
        while (true)
        {
            var last = await session.ScalarAsync<string>("select coalesce(last_archived_wal, '') from pg_stat_archiver", ct);
            if (string.CompareOrdinal(last, segment) >= 0)
            {
                context.Evidence.Check("restore_point_archived", true, new JsonObject { ["wal_segment"] = segment, ["last_archived_wal"] = last, ["waited_s"] = Math.Round(context.Time.GetElapsedTime(start).TotalSeconds, 1) });
                return context.Time.GetUtcNow();
            }

            if (context.Time.GetElapsedTime(start) > TimeSpan.FromSeconds(inputs.ArchiveWaitS))
            {
                context.Evidence.Check("restore_point_archived", false, new JsonObject { ["wal_segment"] = segment, ["last_archived_wal"] = last }, DiagnosticCatalog.DrillMarkerNotArchived.Code);
                throw HyopsException.From(DiagnosticCatalog.DrillMarkerNotArchived, $"segment {segment} not archived after {inputs.ArchiveWaitS} s (last archived: '{last}')");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), context.Time, ct);
        }
    }
}
