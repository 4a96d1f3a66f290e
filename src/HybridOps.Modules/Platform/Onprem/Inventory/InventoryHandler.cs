using System.Net;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>platform/onprem/inventory: validates and publishes a static site inventory. No infrastructure I/O.</summary>
public sealed class InventoryHandler : IModuleHandler
{
    public const string Ref = "platform/onprem/inventory";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var members = context.Inputs.Values.Objects("members").ToList();
        if (members.Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'members' must list at least one member");
        }

        foreach (var m in members)
        {
            var name = m.Str("name");
            var host = m.Str("host");
            if (name is null || host is null || m.Int("pg_port") is not > 0 || m.Str("api_url") is null)
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"member '{name ?? "?"}' needs name, host, pg_port and api_url");
            }

            if (!IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"member '{name}': host '{host}' is not an address or host name");
            }
        }

        if (members.Select(m => m.Str("name")).Distinct(StringComparer.Ordinal).Count() != members.Count)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "member names must be unique");
        }

        if (context.Inputs.String("superuser_password_env") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'superuser_password_env' must name the env/vault key holding the superuser password");
        }
    }

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken) =>
        DeclaredContract.RunAsync(context, "inventory_shape", o => new JsonObject { ["members"] = o.Objects("members").Count() });
}
