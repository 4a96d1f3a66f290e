using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// What Database Migration Service needs from a PostgreSQL source (consumer_provider gcp): the pglogical
/// extension installed (Debian: postgresql-15-pglogical on every member) and preloaded, wal_level
/// logical, and enough replication slots, WAL senders and worker processes for the databases.
/// Read-only, on the leader, before anything changes; every missing item is named (HYO8011).
/// </summary>
internal static class PglogicalPrerequisites
{
    /// <summary>The settings DMS depends on, as the server reports them.</summary>
    public sealed record Facts(bool Available, string Preload, string WalLevel, int Slots, int UsedSlots, int Senders, int Workers, int Databases)
    {
        /// <summary>One slot and one sender per replicated database on top of what is in use.</summary>
        public int NeedSlots => UsedSlots + Databases;

        /// <summary>One pglogical worker per database plus its supervisor, on top of the server's own eight.</summary>
        public int NeedWorkers => Databases + 1 + 8;

        public bool Preloaded => Preload.Split(',').Select(p => p.Trim()).Contains("pglogical");
    }

    public static async Task<Facts> ReadAsync(PgSession leader, int databases, CancellationToken ct)
    {
        int Setting(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return new Facts(
            await leader.ScalarAsync<long>("select count(*) from pg_available_extensions where name = 'pglogical'", ct) > 0,
            await leader.ScalarAsync<string>("select current_setting('shared_preload_libraries')", ct),
            await leader.ScalarAsync<string>("select current_setting('wal_level')", ct),
            Setting(await leader.ScalarAsync<string>("select current_setting('max_replication_slots')", ct)),
            (int)await leader.ScalarAsync<long>("select count(*) from pg_replication_slots", ct),
            Setting(await leader.ScalarAsync<string>("select current_setting('max_wal_senders')", ct)),
            Setting(await leader.ScalarAsync<string>("select current_setting('max_worker_processes')", ct)),
            databases);
    }

    public static async Task<JsonObject> RequireAsync(PgSession leader, int databases, ModuleContext context, CancellationToken ct)
    {
        var f = await ReadAsync(leader, databases, ct);
        var (available, preload, walLevel, slots, usedSlots, senders, workers) = (f.Available, f.Preload, f.WalLevel, f.Slots, f.UsedSlots, f.Senders, f.Workers);
        var (needSlots, needWorkers) = (f.NeedSlots, f.NeedWorkers);
        var missing = new List<string>();
        if (!available)
        {
            missing.Add("the pglogical extension is not installed on the leader (install postgresql-15-pglogical on every member)");
        }

        if (!f.Preloaded)
        {
            missing.Add($"shared_preload_libraries is '{preload}' and does not include pglogical (set it in Patroni's postgresql.parameters, or let dr-source do it with prepare_pglogical_confirm; the members restart)");
        }

        if (walLevel != "logical")
        {
            missing.Add($"wal_level is '{walLevel}', not logical");
        }

        if (slots < needSlots)
        {
            missing.Add($"max_replication_slots is {slots}; {usedSlots} in use + {databases} for DMS needs at least {needSlots}");
        }

        if (senders < needSlots)
        {
            missing.Add($"max_wal_senders is {senders}; needs at least {needSlots} (one per replication slot)");
        }

        if (workers < needWorkers)
        {
            missing.Add($"max_worker_processes is {workers}; needs at least {needWorkers} (pglogical workers for {databases} database(s) plus the server's own)");
        }

        var facts = new JsonObject
        {
            ["pglogical_available"] = available,
            ["shared_preload_libraries"] = preload,
            ["wal_level"] = walLevel,
            ["max_replication_slots"] = slots,
            ["replication_slots_in_use"] = usedSlots,
            ["max_wal_senders"] = senders,
            ["max_worker_processes"] = workers,
            ["missing"] = missing.ToJsonArray(),
        };
        context.Evidence.Check("dms_source_prerequisites", missing.Count == 0, facts.DeepClone().AsObject(), missing.Count == 0 ? null : DiagnosticCatalog.PglogicalPrerequisitesMissing.Code);
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.PglogicalPrerequisitesMissing,
                $"source leader {leader.Endpoint}: Database Migration Service cannot replicate from it; missing: {string.Join("; ", missing.Select((m, k) => $"({k + 1}) {m}"))}; nothing was changed");
        }

        return facts;
    }
}
