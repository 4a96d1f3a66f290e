using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>
/// platform/onprem/inventory: validates and publishes a site inventory an operator writes (or imports
/// from an Ansible inventory). Every member is published normalized: address, ssh access, become
/// method, service user and manager, PostgreSQL layout, Patroni API. No infrastructure I/O.
/// </summary>
public sealed class InventoryHandler : IModuleHandler
{
    public const string Ref = "platform/onprem/inventory";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context) => _ = Members(context);

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var members = Members(context);
        return DeclaredContract.RunAsync(context, "inventory_shape", o =>
        {
            o["members"] = new JsonArray([.. members.Select(m => (JsonNode)m.ToJson())]);
            if (o["etcd_endpoints"] is not JsonArray { Count: > 0 } && EtcdFromAnsible(context) is { } etcd)
            {
                o["etcd_endpoints"] = etcd;
            }

            return new JsonObject
            {
                ["members"] = members.Count,
                ["transports"] = new JsonArray([.. members.Select(m => (JsonNode)m.Access.Transport).Distinct()]),
                ["from_ansible"] = context.Inputs.String("ansible_inventory") is not null,
            };
        });
    }

    /// <summary>Explicit members, then hosts of the Ansible group not already listed (an explicit entry wins by name).</summary>
    private static List<InventoryHost> Members(ModuleContext context)
    {
        var defaults = PostgresLayout.FromDefaults(context.Inputs.Values["postgres_defaults"] as JsonObject);
        var raw = context.Inputs.Values.Objects("members").ToList();
        if (context.Inputs.String("ansible_inventory") is { } ansible)
        {
            var group = context.Inputs.String("ansible_group") ?? "postgres";
            var listed = raw.Select(m => m.Str("name")).ToHashSet(StringComparer.Ordinal);
            raw.AddRange(AnsibleInventory.Members(ansible, group).Where(m => !listed.Contains(m.Str("name"))));
        }

        if (raw.Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired,
                "input 'members' must list at least one member (or name an Ansible inventory with 'ansible_inventory' and 'ansible_group')");
        }

        var members = raw.Select(m => InventoryHost.Parse(m, defaults)).ToList();
        if (members.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"member names must be unique: '{dup.Key}' appears {dup.Count()} times");
        }

        var etcd = (context.Inputs.Values["etcd_endpoints"] as JsonArray ?? []).Select(e => (string?)e).OfType<string>().Where(e => e.Length > 0).ToList();
        EtcdTls.Validate(etcd.Count > 0 ? etcd : (EtcdFromAnsible(context) ?? []).Select(e => (string)e!).ToList(), context.Inputs.String("etcd_ca_file"), "etcd_endpoints");

        if (context.Inputs.String("superuser_password_env") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'superuser_password_env' must name the env/vault key holding the superuser password");
        }

        return members;
    }

    private static JsonArray? EtcdFromAnsible(ModuleContext context)
    {
        if (context.Inputs.String("ansible_inventory") is not { } path || context.Inputs.String("ansible_etcd_group") is not { } group)
        {
            return null;
        }

        var scheme = context.Inputs.String("etcd_ca_file") is null ? "http" : "https";
        return new JsonArray([.. AnsibleInventory.Members(path, group).Select(m => (JsonNode)$"{scheme}://{m.Str("host")}:2379")]);
    }
}
