using System.Text.Json.Nodes;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>
/// Patroni on a member: REST API access (basic-auth user and the env/vault key NAME of its password, a CA
/// file for https) and the name of the service the host's service manager runs it as (default patroni).
/// </summary>
internal sealed record PatroniAccess(string? Username, string? PasswordEnv, string? CaFile, string Service = PatroniAccess.DefaultService)
{
    public const string DefaultService = "patroni";

    public static PatroniAccess Parse(string member, JsonObject? node, Uri api)
    {
        var service = node.Str("service") ?? DefaultService;
        if (!Postgres.Hosts.ServiceUnit.IsValidName(service))
        {
            throw InventoryHost.Invalid(member, $"patroni.service '{service}' is not a service name ([a-z0-9][a-z0-9_.-]{{0,62}})");
        }

        var access = new PatroniAccess(node.Str("username"), node.Str("password_env"), node.Str("ca_file"), service);
        if ((access.Username is null) != (access.PasswordEnv is null))
        {
            throw InventoryHost.Invalid(member, "patroni needs both username and password_env for basic auth, or neither");
        }

        if (access.CaFile is not null && api.Scheme != "https")
        {
            throw InventoryHost.Invalid(member, $"patroni.ca_file is set but api_url '{api}' is not https");
        }

        return access;
    }

    public JsonObject ToJson() => new() { ["username"] = Username, ["password_env"] = PasswordEnv, ["ca_file"] = CaFile, ["service"] = Service };
}
