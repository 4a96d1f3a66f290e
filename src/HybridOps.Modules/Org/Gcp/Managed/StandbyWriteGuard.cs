using System.Text.Json.Nodes;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// The standby's write guard, on top of the provider's instance-level default_transaction_read_only:
/// a client can SET that default off, so every table of a replicated database also gets BEFORE
/// INSERT/UPDATE/DELETE/TRUNCATE triggers and the database a DDL event trigger that raise 25006.
/// Ordinary (ENABLE) triggers do not fire in session_replication_role = replica, which the logical
/// apply and table sync workers always run in and which only a superuser may set, so replication keeps
/// applying while a client session cannot write. Promotion lifts it (drop schema hyops_standby cascade).
/// </summary>
internal static class StandbyWriteGuard
{
    public const string Schema = "hyops_standby";
    public const string ReadOnlySqlState = "25006";

    /// <summary>Installs the functions and event trigger (idempotent) and guards every table that lacks the triggers.</summary>
    public static async Task<List<string>> InstallAsync(NpgsqlConnection target, CancellationToken ct)
    {
        await Sql.ExecAsync(target, $$"""
            set session_replication_role = replica;
            create schema if not exists {{Schema}};
            create or replace function {{Schema}}.refuse() returns trigger language plpgsql as $f$
            begin
              raise exception using errcode = '{{ReadOnlySqlState}}', message = 'this managed standby is read-only until it is promoted',
                hint = 'write to the primary; the standby takes writes only after org/gcp/cloudsql-promote';
            end $f$;
            create or replace function {{Schema}}.refuse_ddl() returns event_trigger language plpgsql as $f$
            begin
              raise exception using errcode = '{{ReadOnlySqlState}}', message = 'this managed standby is read-only until it is promoted (DDL refused)',
                hint = 'change the schema on the primary; add new tables to the standby with apply_mode add_tables';
            end $f$;
            """, ct);
        if (await Sql.ScalarAsync<int>(target, "select count(*)::int from pg_event_trigger where evtname = 'hyops_standby_ddl'", ct) == 0)
        {
            await Sql.ExecAsync(target, $"create event trigger hyops_standby_ddl on ddl_command_start execute function {Schema}.refuse_ddl()", ct);
        }

        var guarded = new List<string>();
        foreach (var table in await UnguardedTablesAsync(target, ct))
        {
            await Sql.ExecAsync(target, $"""
                create trigger hyops_standby_guard before insert or update or delete on {table} for each row execute function {Schema}.refuse();
                create trigger hyops_standby_guard_truncate before truncate on {table} for each statement execute function {Schema}.refuse();
                """, ct);
            guarded.Add(table);
        }

        await Sql.ExecAsync(target, "reset session_replication_role", ct);
        return guarded;
    }

    /// <summary>Drops the event trigger, the table triggers and the functions: the database takes client writes again.</summary>
    public static async Task LiftAsync(NpgsqlConnection target, CancellationToken ct) =>
        await Sql.ExecAsync(target, $"drop event trigger if exists hyops_standby_ddl; drop schema if exists {Schema} cascade", ct);

    /// <summary>User tables (quoted, qualified) without the guard trigger.</summary>
    public static async Task<List<string>> UnguardedTablesAsync(NpgsqlConnection target, CancellationToken ct) =>
        [.. (await Sql.RowsAsync(target, $"""
            select format('%I.%I', n.nspname, c.relname)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', '{Schema}') and n.nspname not like 'pg\_%'
              and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'hyops_standby_guard')
            order by 1
            """, ct)).Select(r => (string)r[0]!)];

    /// <summary>
    /// Proves the guard as a client would meet it: a fresh session without hyops' session options shows
    /// the read-only default, then SETs it off and tries an UPDATE of the heartbeat row (rolled back).
    /// </summary>
    public static async Task<JsonObject> ProbeAsync(DrLink link, string db, CancellationToken ct)
    {
        await using var client = await Sql.OpenAsync(link.TargetAdmin(db) with { Options = null }, ct);
        var defaultReadOnly = await Sql.ScalarAsync<string>(client, "show default_transaction_read_only", ct) == "on";
        var unguarded = await UnguardedTablesAsync(client, ct);
        var ddlGuard = await Sql.ScalarAsync<int>(client, "select count(*)::int from pg_event_trigger where evtname = 'hyops_standby_ddl' and evtenabled = 'O'", ct) == 1;
        string sqlState;
        await using (var tx = await client.BeginTransactionAsync(ct))
        {
            try
            {
                await Sql.ExecAsync(client, "set local default_transaction_read_only = off; set transaction read write; update hyops_dr.heartbeat set at = at where id = 1", ct);
                sqlState = "00000";
            }
            catch (PostgresException ex)
            {
                sqlState = ex.SqlState;
            }

            await tx.RollbackAsync(ct);
        }

        return new JsonObject
        {
            ["database"] = db,
            ["default_transaction_read_only"] = defaultReadOnly,
            ["ddl_guard"] = ddlGuard,
            ["unguarded_tables"] = new JsonArray([.. unguarded.Select(t => (JsonNode?)t)]),
            ["client_write_sqlstate"] = sqlState,
            ["read_only"] = defaultReadOnly && ddlGuard && unguarded.Count == 0 && sqlState == ReadOnlySqlState,
        };
    }
}
