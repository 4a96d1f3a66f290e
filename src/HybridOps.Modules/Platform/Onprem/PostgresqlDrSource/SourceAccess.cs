using System.Diagnostics;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// What the DR source changes on the cluster, and only that: the replication role (created when
/// missing), SELECT grants the role lacked, and the consumer allowlist in pg_hba (through Patroni).
/// Each change is recorded so destroy removes exactly what deploy added.
/// </summary>
internal sealed class SourceAccess(DrSourceInputs inputs, ModuleContext context)
{
    /// <summary>Ensures the role has LOGIN + REPLICATION (status only checks); Created: this module created it (now or before).</summary>
    public async Task<(bool Ready, bool Created)> EnsureRoleAsync(PgSession leader, bool createdBefore, CancellationToken cancellationToken)
    {
        var role = await leader.QueryAsync("select rolcanlogin, rolreplication from pg_roles where rolname = $1",
            r => (Login: r.GetBoolean(0), Replication: r.GetBoolean(1)), cancellationToken, inputs.ReplicationUser);
        if (role.Count == 1)
        {
            var usable = role[0].Login && role[0].Replication;
            context.Evidence.Check("replication_role", usable, new JsonObject
            {
                ["role"] = inputs.ReplicationUser, ["exists"] = true, ["login"] = role[0].Login, ["replication"] = role[0].Replication, ["created_by_module"] = createdBefore,
            }, usable ? null : DiagnosticCatalog.ReplicationRoleUnusable.Code);
            return usable ? (true, createdBefore) : throw HyopsException.From(DiagnosticCatalog.ReplicationRoleUnusable,
                $"role '{inputs.ReplicationUser}' exists without {(role[0].Login ? "" : "LOGIN ")}{(role[0].Replication ? "" : "REPLICATION")}".TrimEnd());
        }

        if (context.Action == "status")
        {
            context.Evidence.Check("replication_role", false, new JsonObject { ["role"] = inputs.ReplicationUser, ["exists"] = false });
            return (false, false);
        }

        var password = context.Secrets.Resolve(inputs.ReplicationPasswordEnv);
        var sw = Stopwatch.StartNew();
        var ddl = await leader.ScalarAsync<string>("select format('create role %I login replication password %L', $1::text, $2::text)",
            cancellationToken, inputs.ReplicationUser, password);
        await leader.ExecuteAsync(ddl, cancellationToken);
        context.Evidence.Action("create_role", ["CREATE ROLE", inputs.ReplicationUser, "LOGIN", "REPLICATION", "PASSWORD", $"<from {inputs.ReplicationPasswordEnv}>"], 0, sw.Elapsed);
        return (true, true);
    }

    /// <summary>Grants USAGE/SELECT the role lacks in each source database; returns what was granted, per database.</summary>
    public async Task<JsonArray> GrantAsync(Func<string, PgEndpoint> endpointFor, JsonArray? previous, CancellationToken cancellationToken)
    {
        var granted = new JsonArray();
        foreach (var database in inputs.Databases)
        {
            await using var db = await PgSession.OpenAsync(endpointFor(database), cancellationToken);
            var schemas = await db.QueryAsync("""
                select n.nspname, format('grant usage on schema %I to %I', n.nspname, $1::text) from pg_namespace n
                where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
                  and exists (select 1 from pg_class c where c.relnamespace = n.oid and c.relkind in ('r', 'p'))
                  and not has_schema_privilege($1::text, n.oid, 'USAGE')
                """, r => (Name: r.GetString(0), Sql: r.GetString(1)), cancellationToken, inputs.ReplicationUser);
            var tables = await db.QueryAsync("""
                select n.nspname, c.relname, format('grant select on table %I.%I to %I', n.nspname, c.relname, $1::text)
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%' and c.relkind in ('r', 'p')
                  and not has_table_privilege($1::text, c.oid, 'SELECT')
                """, r => (Schema: r.GetString(0), Table: r.GetString(1), Sql: r.GetString(2)), cancellationToken, inputs.ReplicationUser);
            foreach (var statement in schemas.Select(s => s.Sql).Concat(tables.Select(t => t.Sql)))
            {
                await db.ExecuteAsync(statement, cancellationToken);
            }

            var before = previous?.OfType<JsonObject>().FirstOrDefault(g => g.Str("database") == database);
            var entry = new JsonObject
            {
                ["database"] = database,
                ["schemas"] = Union(before?["schemas"], schemas.Select(s => s.Name)),
                ["tables"] = UnionTables(before?["tables"], tables.Select(t => new JsonObject { ["schema"] = t.Schema, ["table"] = t.Table })),
            };
            context.Evidence.Check($"select_grants:{database}", true, new JsonObject
            {
                ["role"] = inputs.ReplicationUser, ["schemas_granted_now"] = schemas.Count, ["tables_granted_now"] = tables.Count,
            });
            granted.Add((JsonNode)entry);
        }

        return granted;
    }

    /// <summary>Revokes exactly the recorded grants; a database that no longer exists is noted and skipped.</summary>
    public async Task RevokeAsync(Func<string, PgEndpoint> endpointFor, JsonArray? grants, CancellationToken cancellationToken)
    {
        foreach (var g in grants?.OfType<JsonObject>() ?? [])
        {
            var database = g.Str("database")!;
            await using var db = await PgSession.OpenAsync(endpointFor(database), cancellationToken);
            var exists = await db.ScalarAsync<bool>("select exists (select 1 from pg_roles where rolname = $1)", cancellationToken, inputs.ReplicationUser);
            if (!exists)
            {
                continue;
            }

            foreach (var t in g.Objects("tables"))
            {
                await db.ExecuteAsync(await db.ScalarAsync<string>(
                    "select case when to_regclass(format('%I.%I', $1::text, $2::text)) is null then 'select 1' else format('revoke select on table %I.%I from %I', $1::text, $2::text, $3::text) end",
                    cancellationToken, t.Str("schema")!, t.Str("table")!, inputs.ReplicationUser), cancellationToken);
            }

            foreach (var s in g["schemas"] as JsonArray ?? [])
            {
                await db.ExecuteAsync(await db.ScalarAsync<string>(
                    "select case when to_regnamespace($1::text) is null then 'select 1' else format('revoke usage on schema %I from %I', $1::text, $2::text) end",
                    cancellationToken, s!.GetValue<string>(), inputs.ReplicationUser), cancellationToken);
            }

            context.Evidence.Check($"grants_revoked:{database}", true, new JsonObject { ["tables"] = g.Objects("tables").Count(), ["schemas"] = (g["schemas"] as JsonArray)?.Count ?? 0 });
        }
    }

    public async Task DropRoleAsync(PgSession leader, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        await leader.ExecuteAsync(await leader.ScalarAsync<string>("select format('drop role if exists %I', $1::text)", cancellationToken, inputs.ReplicationUser), cancellationToken);
        context.Evidence.Action("drop_role", ["DROP ROLE", inputs.ReplicationUser], 0, sw.Elapsed);
    }

    private static JsonArray Union(JsonNode? before, IEnumerable<string> now) =>
        ((before as JsonArray)?.Select(n => n!.GetValue<string>()) ?? []).Concat(now).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToJsonArray();

    private static JsonArray UnionTables(JsonNode? before, IEnumerable<JsonObject> now)
    {
        var all = ((before as JsonArray)?.OfType<JsonObject>() ?? []).Concat(now)
            .DistinctBy(t => (t.Str("schema"), t.Str("table"))).OrderBy(t => $"{t.Str("schema")}.{t.Str("table")}", StringComparer.Ordinal);
        return new JsonArray(all.Select(t => (JsonNode?)t.DeepClone()).ToArray());
    }
}
