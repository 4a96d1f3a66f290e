using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// One entry of the `app_roles` input: an application role carried to the other side (standby
/// establish: on-prem -> managed; failback reseed: managed -> new on-prem cluster) with the NAME of the
/// env/vault key holding its password. The password is never read from either server.
/// </summary>
internal sealed partial record AppRoleSpec(string Name, string PasswordEnv)
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>The roles of `app_roles`, validated (HYO6110); `reserved` are names hyops itself manages.</summary>
    public static IReadOnlyList<AppRoleSpec> From(ModuleContext context, params string?[] reserved)
    {
        var node = context.Inputs.Values["app_roles"];
        if (node is null || (node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0))
        {
            return [];
        }

        if (node is not JsonArray items)
        {
            throw HyopsException.From(DiagnosticCatalog.AppRolesInvalid, "input 'app_roles' must be a list");
        }

        var roles = new List<AppRoleSpec>();
        foreach (var item in items)
        {
            var name = item.Str("name");
            var env = item.Str("password_env");
            if (item is not JsonObject || name is null || env is null || !NamePattern().IsMatch(name))
            {
                throw HyopsException.From(DiagnosticCatalog.AppRolesInvalid, $"app_roles entry {item?.ToJsonString() ?? "null"} needs a plain role name and a password_env key name");
            }

            if (name is "postgres" || name.StartsWith("pg_", StringComparison.Ordinal) || reserved.Contains(name))
            {
                throw HyopsException.From(DiagnosticCatalog.AppRolesInvalid, $"app_roles entry '{name}' is a role hyops or PostgreSQL manages itself; list only application roles");
            }

            if (roles.Any(r => r.Name == name))
            {
                throw HyopsException.From(DiagnosticCatalog.AppRolesInvalid, $"app_roles names '{name}' twice");
            }

            roles.Add(new AppRoleSpec(name, env));
        }

        return roles;
    }

    public static JsonArray ToJson(IEnumerable<AppRoleSpec> roles) =>
        new([.. roles.Select(r => (JsonNode?)new JsonObject { ["name"] = r.Name, ["password_env"] = r.PasswordEnv })]);
}
