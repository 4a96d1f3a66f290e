using Npgsql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// hyops' own tables on the DR source, replicated like any other table: hyops_dr.heartbeat (lag round
/// trips) and hyops_dr.barrier (the promotion's barrier row). Created before the link starts so the
/// consumer (a hyops subscription or a DMS job) copies them; the replication role may read them.
/// </summary>
internal static class DrMarkerTables
{
    public const string Barrier = "hyops_dr.barrier";
    public const string Heartbeat = "hyops_dr.heartbeat";

    public static async Task EnsureAsync(NpgsqlConnection source, string replicationUser, CancellationToken ct)
    {
        var repl = Sql.Ident(replicationUser);
        await Sql.ExecAsync(source, $"""
            create schema if not exists hyops_dr;
            create table if not exists hyops_dr.heartbeat (id int primary key, at timestamptz not null);
            create table if not exists hyops_dr.barrier (id text primary key, at timestamptz not null default clock_timestamp());
            insert into hyops_dr.heartbeat values (1, clock_timestamp()) on conflict (id) do update set at = excluded.at;
            grant usage on schema hyops_dr to {repl};
            grant select on all tables in schema hyops_dr to {repl};
            """, ct);
    }
}
