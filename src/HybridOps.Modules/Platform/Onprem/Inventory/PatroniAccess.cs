using System.Text.Json.Nodes;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>Patroni REST API access: basic-auth user and the env/vault key NAME of its password, and a CA file for https.</summary>
internal sealed record PatroniAccess(string? Username, string? PasswordEnv, string? CaFile)
{
    public static PatroniAccess Parse(string member, JsonObject? node, Uri api)
    {
        var access = new PatroniAccess(node.Str("username"), node.Str("password_env"), node.Str("ca_file"));
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

    public JsonObject ToJson() => new() { ["username"] = Username, ["password_env"] = PasswordEnv, ["ca_file"] = CaFile };
}
