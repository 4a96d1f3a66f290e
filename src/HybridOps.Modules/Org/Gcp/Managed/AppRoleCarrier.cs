using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// Carries the application roles of `app_roles` from a source server to a target: attributes,
/// memberships, ownerships and grants read from the source's catalog, passwords from the env/vault
/// keys named per role (never read from either server; sent as SCRAM verifiers, so no plaintext
/// reaches the target's log, catalog or WAL). Then verified: every source fact is on the target and
/// every LOGIN role logs in with its key and reads the tables granted to it.
/// </summary>
internal sealed class AppRoleCarrier(ModuleContext context, IReadOnlyList<AppRoleSpec> roles)
{
    private readonly Dictionary<string, string> passwords = new(StringComparer.Ordinal);

    public bool Any => roles.Count > 0;

    /// <summary>Checks that change nothing: every role exists on the source and its key resolves (HYO6111, secret errors).</summary>
    public async Task RequireAsync(PgEndpoint source, string sourceName, CancellationToken ct)
    {
        if (!Any)
        {
            return;
        }

        var existing = await AppRoleCatalog.ExistingAsync(source, [.. roles.Select(r => r.Name)], ct);
        var missing = roles.Where(r => !existing.Contains(r.Name)).Select(r => r.Name).ToList();
        context.Evidence.Check("app_roles_on_source", missing.Count == 0, new JsonObject { ["source"] = sourceName, ["roles"] = AppRoleSpec.ToJson(roles), ["missing"] = missing.ToJsonArray() },
            missing.Count == 0 ? null : DiagnosticCatalog.AppRoleMissing.Code);
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.AppRoleMissing, $"application role(s) {string.Join(", ", missing)} do not exist on {sourceName}");
        }

        foreach (var r in roles)
        {
            passwords[r.Name] = context.Secrets.Resolve(r.PasswordEnv);
        }
    }

    /// <summary>Recreates the roles on the target and verifies them; returns the published summary (no secret).</summary>
    public async Task<JsonObject> CarryAsync(Func<string, PgEndpoint> source, Func<string, PgEndpoint> target, IReadOnlyList<string> databases, CancellationToken ct)
    {
        if (!Any)
        {
            return new JsonObject { ["roles"] = new JsonArray(), ["verified"] = true };
        }

        var names = roles.Select(r => r.Name).ToList();
        var facts = await AppRoleCatalog.ReadAsync(source, databases, names, ct);
        await using (var admin = await Sql.OpenAsync(target("postgres"), ct))
        {
            var existing = await AppRoleCatalog.ExistingAsync(target("postgres"), names, ct);
            foreach (var r in roles)
            {
                if (!existing.Contains(r.Name))
                {
                    await Sql.ExecAsync(admin, $"create role {Sql.Ident(r.Name)}", ct);
                }

                await Sql.ExecAsync(admin, $"alter role {Sql.Ident(r.Name)} password {Sql.Literal(ScramVerifier.Compute(passwords[r.Name]))}", ct);
            }

            foreach (var group in facts.Where(f => f.Order == 1).Select(f => f.Key[(f.Key.IndexOf(": member of ", StringComparison.Ordinal) + 12)..].Split(' ')[0]).Distinct())
            {
                if (await Sql.ScalarAsync<int>(admin, "select count(*)::int from pg_roles where rolname = $1", ct, group) == 0)
                {
                    await Sql.ExecAsync(admin, $"create role {Sql.Ident(group)} nologin", ct);
                    context.Evidence.Note($"group role '{group}' (a membership of an application role) did not exist on the target: created NOLOGIN");
                }
            }

            foreach (var f in facts.Where(f => f.Database is null).OrderBy(f => f.Order))
            {
                await Sql.ExecAsync(admin, f.Statement, ct);
            }
        }

        foreach (var db in databases)
        {
            await using var conn = await Sql.OpenAsync(target(db), ct);
            foreach (var f in facts.Where(f => f.Database == db).OrderBy(f => f.Order))
            {
                await Sql.ExecAsync(conn, f.Statement, ct);
            }
        }

        return await VerifyAsync(facts, target, databases, ct);
    }

    private async Task<JsonObject> VerifyAsync(List<AppRoleFact> expected, Func<string, PgEndpoint> target, IReadOnlyList<string> databases, CancellationToken ct)
    {
        var names = roles.Select(r => r.Name).ToList();
        var actual = (await AppRoleCatalog.ReadAsync(target, databases, names, ct)).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Select(f => f.Key).Where(k => !actual.Contains(k)).ToList();
        var logins = new JsonArray();
        var failedLogins = new List<string>();
        foreach (var r in roles.Where(r => expected.Any(f => f.Role == r.Name && f.Order == 0 && f.Key.Contains(" LOGIN", StringComparison.Ordinal))))
        {
            var read = new JsonObject();
            var own = databases.Where(db => expected.Any(f => f.Role == r.Name && f.Database == db)).ToList();
            foreach (var db in own.Count > 0 ? own : databases.Take(1))
            {
                try
                {
                    read[db] = await ReadGrantedTablesAsync(target(db) with { User = r.Name, Password = passwords[r.Name], Options = null }, ct);
                }
                catch (Exception ex) when (ex is HyopsException or NpgsqlException)
                {
                    read[db] = ex is HyopsException h ? h.Diagnostics[0].Code : ((ex as PostgresException)?.SqlState ?? "connection failed");
                    failedLogins.Add($"{r.Name}@{db}");
                }
            }

            logins.Add((JsonNode)new JsonObject { ["role"] = r.Name, ["password_env"] = r.PasswordEnv, ["tables_read"] = read });
        }

        var ok = missing.Count == 0 && failedLogins.Count == 0;
        var summary = new JsonObject
        {
            ["roles"] = AppRoleSpec.ToJson(roles), ["facts"] = expected.Select(f => f.Key).ToJsonArray(), ["missing_on_target"] = missing.ToJsonArray(),
            ["logins"] = logins, ["failed_logins"] = failedLogins.ToJsonArray(), ["verified"] = ok,
        };
        context.Evidence.Check("app_roles_verified", ok, (JsonObject)summary.DeepClone(), ok ? null : DiagnosticCatalog.AppRolesNotCarried.Code);
        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.AppRolesNotCarried,
                $"application roles not carried: missing on the target [{string.Join("; ", missing)}], failed logins [{string.Join(", ", failedLogins)}]");
        }

        return summary;
    }

    /// <summary>Logs in as the role and reads one row of every table it may SELECT; returns how many it read.</summary>
    private static async Task<int> ReadGrantedTablesAsync(PgEndpoint asRole, CancellationToken ct)
    {
        await using var conn = await Sql.OpenAsync(asRole, ct);
        var tables = await Sql.RowsAsync(conn, """
            select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_%'
              and has_table_privilege(c.oid, 'SELECT') and has_schema_privilege(n.oid, 'USAGE') order by 1
            """, ct);
        foreach (var t in tables)
        {
            await using var cmd = new NpgsqlCommand($"select 1 from {(string)t[0]!} limit 1", conn);
            await cmd.ExecuteScalarAsync(ct);
        }

        return tables.Count;
    }
}
