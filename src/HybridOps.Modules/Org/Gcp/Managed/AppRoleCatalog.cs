using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// Reads what defines the application roles on one server: attributes and memberships (cluster-wide)
/// and, per database, what they own and what was granted to them (tables, views, sequences, schemas,
/// the database). pg_dump runs with --no-owner --no-privileges, so these are recreated separately.
/// </summary>
internal static class AppRoleCatalog
{
    private const string UserSchemas = "n.nspname not in ('pg_catalog', 'information_schema', 'hyops_standby') and n.nspname not like 'pg\\_%'";

    /// <summary>The roles of <paramref name="names"/> that exist on the server.</summary>
    public static async Task<HashSet<string>> ExistingAsync(PgEndpoint endpoint, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        await using var conn = await Sql.OpenAsync(endpoint, ct);
        var rows = await Sql.RowsAsync(conn, "select rolname::text from pg_roles where rolname = any($1)", ct, (object)names.ToArray());
        return [.. rows.Select(r => (string)r[0]!)];
    }

    public static async Task<List<AppRoleFact>> ReadAsync(Func<string, PgEndpoint> endpoint, IReadOnlyList<string> databases, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        object roles = names.ToArray();
        var facts = new List<AppRoleFact>();
        await using (var conn = await Sql.OpenAsync(endpoint("postgres"), ct))
        {
            foreach (var r in await Sql.RowsAsync(conn, """
                select rolname::text, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit
                from pg_roles where rolname = any($1) order by 1
                """, ct, roles))
            {
                string Flag(int i, string word) => (bool)r[i]! ? word : "NO" + word;
                var attributes = string.Join(' ', Flag(1, "SUPERUSER"), Flag(2, "INHERIT"), Flag(3, "CREATEROLE"), Flag(4, "CREATEDB"), Flag(5, "LOGIN"),
                    Flag(6, "REPLICATION"), Flag(7, "BYPASSRLS"), $"CONNECTION LIMIT {r[8]}");
                var role = (string)r[0]!;
                facts.Add(new AppRoleFact(role, $"role {role}: {attributes}", null, $"alter role {Sql.Ident(role)} {attributes}", 0));
            }

            foreach (var r in await Sql.RowsAsync(conn, """
                select m.rolname::text, g.rolname::text, a.admin_option
                from pg_auth_members a join pg_roles m on m.oid = a.member join pg_roles g on g.oid = a.roleid
                where m.rolname = any($1) order by 1, 2
                """, ct, roles))
            {
                var (member, group, admin) = ((string)r[0]!, (string)r[1]!, (bool)r[2]!);
                facts.Add(new AppRoleFact(member, $"role {member}: member of {group}{(admin ? " with admin option" : "")}", null,
                    $"grant {Sql.Ident(group)} to {Sql.Ident(member)}{(admin ? " with admin option" : "")}", 1));
            }
        }

        foreach (var db in databases)
        {
            await using var conn = await Sql.OpenAsync(endpoint(db), ct);
            foreach (var r in await Sql.RowsAsync(conn, $"""
                select r.rolname::text, 'schema', quote_ident(n.nspname), 2 from pg_namespace n join pg_roles r on r.oid = n.nspowner
                where r.rolname = any($1) and {UserSchemas}
                union all
                select r.rolname::text, case c.relkind when 'S' then 'sequence' else 'table' end, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                       case c.relkind when 'S' then 4 else 3 end
                from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_roles r on r.oid = c.relowner
                where r.rolname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and {UserSchemas}
                order by 4, 3
                """, ct, roles))
            {
                var (role, kind, name) = ((string)r[0]!, (string)r[1]!, (string)r[2]!);
                var alter = kind == "table" ? "table" : kind;
                facts.Add(new AppRoleFact(role, $"{db}: {role} owns {kind} {name}", db, $"alter {alter} {name} owner to {Sql.Ident(role)}", (int)r[3]!));
            }

            foreach (var r in await Sql.RowsAsync(conn, $"""
                select r.rolname::text, case c.relkind when 'S' then 'sequence' else 'table' end, quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.privilege_type, a.is_grantable
                from pg_class c join pg_namespace n on n.oid = c.relnamespace cross join lateral aclexplode(c.relacl) a join pg_roles r on r.oid = a.grantee
                where r.rolname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and {UserSchemas}
                union all
                select r.rolname::text, 'schema', quote_ident(n.nspname), a.privilege_type, a.is_grantable
                from pg_namespace n cross join lateral aclexplode(n.nspacl) a join pg_roles r on r.oid = a.grantee
                where r.rolname = any($1) and {UserSchemas}
                union all
                select r.rolname::text, 'database', quote_ident(d.datname), a.privilege_type, a.is_grantable
                from pg_database d cross join lateral aclexplode(d.datacl) a join pg_roles r on r.oid = a.grantee
                where r.rolname = any($1) and d.datname = current_database()
                order by 1, 2, 3, 4
                """, ct, roles))
            {
                var (role, kind, name, privilege, grantable) = ((string)r[0]!, (string)r[1]!, (string)r[2]!, (string)r[3]!, (bool)r[4]!);
                facts.Add(new AppRoleFact(role, $"{db}: {privilege} on {kind} {name} to {role}{(grantable ? " with grant option" : "")}", db,
                    $"grant {privilege} on {kind} {name} to {Sql.Ident(role)}{(grantable ? " with grant option" : "")}", 5));
            }
        }

        return facts;
    }
}
