using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Lab.Hosts;
using HybridOps.Lab.Site;
using HybridOps.Modules.Platform.Network.PowerdnsAuthority;
using HybridOps.Modules.Platform.Onprem.Inventory;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops lab up|status|down` on the lab's namespaced hosts, reached only over SSH (see docs/lab.md);
/// the lab dir's site.json records the lab.
/// </summary>
internal static class SiteLabCommands
{
    public static bool IsHostsLab(string labDir) => SiteLabState.Load(labDir) is { Kind: "hosts" };

    public static async Task<int> UpAsync(Invocation inv, LabSession session, string dir, int block, Lab.LabObjectStoreKeys? objectStores, CancellationToken ct)
    {
        if (block is < LabAddressPlan.MinBlock or > LabAddressPlan.MaxBlock)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"--block {block} is not {LabAddressPlan.MinBlock}..{LabAddressPlan.MaxBlock} (169.254.250.0/24 in /28 blocks)");
        }

        var (su, repl) = session.Passwords();
        var pdnsKey = LabCommand.PdnsApiKey(inv);
        session.Record(dir);
        var started = inv.Time.GetTimestamp();
        JsonObject inventory;
        try
        {
            var options = new SiteLabOptions(dir, block, su, repl) { PdnsApiKey = pdnsKey, ObjectStores = objectStores };
            if (inv.Environment.GetValueOrDefault("HYOPS_LAB_NODE_MODULES") is { Length: > 0 } modules)
            {
                options = options with { NodeModules = modules };
            }

            inventory = await new SiteLab(time: inv.Time).UpAsync(options, inv.Runtime.Progress, ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            throw HyopsException.From(DiagnosticCatalog.LabFailure, ex.Message);
        }

        var upSeconds = inv.Time.GetElapsedTime(started).TotalSeconds;
        inventory["superuser_password_env"] = LabSession.SuperuserKey;
        inventory["replication_password_env"] = LabSession.ReplicationKey;
        var published = await new ModuleRunner(inv.Runtime).RunAsync(new ModuleRequest
        {
            ModuleRef = InventoryHandler.Ref, Action = "deploy", StepInputs = inventory, ApplyEnvironmentOverrides = false,
        }, ct);
        var plan = SiteLabState.Load(dir)!.Plan;
        var authority = await new ModuleRunner(inv.Runtime).RunAsync(new ModuleRequest
        {
            ModuleRef = PowerdnsAuthorityHandler.Ref,
            Action = "deploy",
            StepInputs = new JsonObject
            {
                ["api_url"] = plan.DnsApiUrl, ["server_id"] = "localhost", ["zone"] = Lab.LabTopology.DnsZone,
                ["dns_server_host"] = plan.AddressOf(SiteLabPlan.DnsHost), ["dns_server_port"] = SiteLabPlan.DnsPort,
                ["api_key_env"] = LabCommand.PdnsApiKeyName,
            },
            ApplyEnvironmentOverrides = false,
        }, ct);

        var repos = new JsonObject();
        foreach (var store in SiteLab.ObjectStores(plan))
        {
            repos[store.Backend] = LabCommand.ObjectRepoInputs(store);
        }

        inv.Renderer.Result(new JsonObject
        {
            // The org/*/object-repo inputs of each store (key NAMES only; ca_file is the lab CA on every host).
            ["object_stores"] = repos,
            ["status"] = "up", ["kind"] = "hosts", ["block"] = block, ["lab_dir"] = dir, ["up_seconds"] = Math.Round(upSeconds, 2),
            ["inventory_state"] = published.StatePath, ["inventory"] = published.Outputs.DeepClone(), ["dns_authority_state"] = authority.StatePath,
            // The DR site's hosts as inputs of org/gcp/dr-hosts (provider hosts), e.g. the failover blueprint's dr_hosts step.
            ["dr_site"] = SiteLab.DrSiteInputs(dir, plan),
            // The managed provider's host as inputs of org/gcp/cloudsql-postgresql (the premium lane's standby).
            ["managed_site"] = SiteLab.ManagedSiteInputs(dir, plan),
        }, w =>
        {
            w.WriteLine($"lab up in {upSeconds:F1}s on {plan.HostNames.Count} hosts (block {block}, network {plan.Network}), reached over ssh only");
            foreach (var h in plan.HostNames)
            {
                w.WriteLine($"  {h,-5} {plan.AddressOf(h)}");
            }

            w.WriteLine($"  ssh to a host: ssh -F {new LabHostPaths(dir).SshConfigFile} <host>");
            w.WriteLine($"  inventory published: {published.StatePath}");
            if (plan.DrMemberCount > 0)
            {
                w.WriteLine($"  DR site: hosts {string.Join(", ", plan.DrMemberNames)} and {SiteLabPlan.DrEtcdHost} (org/gcp/dr-hosts provider hosts: see --output json, dr_site)");
                w.WriteLine($"  managed site: host {SiteLabPlan.ManagedHost} (org/gcp/cloudsql-postgresql provider local on a host: see --output json, managed_site)");
            }
        });
        return 0;
    }

    public static async Task<int> StatusAsync(Invocation inv, string dir, CancellationToken ct)
    {
        var (healthy, report) = await new SiteLab(time: inv.Time).StatusAsync(dir, ct);
        var exit = healthy ? ExitCode.Success : ExitCode.ConnectivityFailure;
        report["lab_dir"] = dir;
        report["exit_code"] = (int)exit;
        inv.Renderer.Result(report, w =>
        {
            w.WriteLine($"lab {dir} (hosts, block {report["block"]}): {(healthy ? "healthy" : "NOT healthy")} (on-prem site: {report["site_status"]})");
            foreach (var h in report["hosts"]!.AsArray())
            {
                var svc = h!["service"];
                w.WriteLine($"  {h["name"],-5} {h["address"],-16} {((bool)h["running"]! ? "up" : "DOWN"),-5} {svc?["name"]} {(svc?["active"]?.GetValue<bool>() == true ? "active" : "inactive")} {svc?["detail"]}");
            }

            foreach (var m in report["cluster"]!.AsArray())
            {
                w.WriteLine($"  patroni: {m!["name"]} {m["role"]} {m["state"]} timeline {m["timeline"]} lag {m["lag"]?.ToString() ?? "unknown"}");
            }
        });
        return (int)exit;
    }

    public static async Task<int> DownAsync(Invocation inv, string dir, bool purge, CancellationToken ct)
    {
        var started = inv.Time.GetTimestamp();
        await new SiteLab(time: inv.Time).DownAsync(dir, inv.Runtime.Progress, ct);
        var seconds = inv.Time.GetElapsedTime(started).TotalSeconds;
        // The cleaner already refuses to finish quietly when something is left (HYO6071); this re-checks every recorded host.
        var left = LabHostSet.Hosts(dir).Where(h => LabHostSet.ProcessesOf(dir, h.Name).Count > 0).Select(h => $"host {h.Name}").ToList();
        if (File.ReadAllText("/proc/mounts").Contains(dir + "/", StringComparison.Ordinal))
        {
            left.Add($"a mount under {dir}");
        }

        // --purge: the hosts' disks go too (their data dirs were made with this lab's passwords).
        if (purge && left.Count == 0 && Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
            inv.Runtime.Progress.Report($"deleted the lab dir {dir} (the hosts' disks)");
        }

        inv.Renderer.Result(new JsonObject
        {
            ["status"] = left.Count == 0 ? "down" : "leftovers", ["kind"] = "hosts", ["lab_dir"] = dir, ["down_seconds"] = Math.Round(seconds, 2),
            ["leftovers"] = new JsonArray([.. left.Select(l => (JsonNode)l)]),
        }, w => w.WriteLine(left.Count == 0 ? $"lab down in {seconds:F1}s: no host, process, namespace, link or mount left" : $"lab down: left behind: {string.Join(", ", left)}"));
        return left.Count == 0 ? 0 : (int)ExitCode.InternalError;
    }
}
