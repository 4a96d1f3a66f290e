using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Lab;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops lab fail-site` (a power cut of the on-prem site's hosts; DNS stays up), `hyops lab repair-site`
/// (the hosts come back with etcd only, for a deliberate failback rebuild), `lab partition` and `lab heal`.
/// </summary>
public static class LabSiteCommand
{
    public static IEnumerable<Command> Build(Func<ParseResult, Invocation> invocation)
    {
        var labDir = new Option<string?>("--lab-dir") { Description = "The lab's data directory (default: the one recorded for this runtime root)" };
        var fail = new Command("fail-site", "Unplanned disaster: a power cut of every on-prem host at once (the DNS host stays up)") { labDir };
        fail.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => RunAsync(invocation(parse), parse.GetValue(labDir), repair: false, ct)));
        var repairDir = new Option<string?>("--lab-dir") { Description = labDir.Description };
        var repair = new Command("repair-site", "The failed site's hosts come back: starts the on-prem etcd only, not Patroni/PostgreSQL") { repairDir };
        repair.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => RunAsync(invocation(parse), parse.GetValue(repairDir), repair: true, ct)));
        var partitionDir = new Option<string?>("--lab-dir") { Description = labDir.Description };
        var siteA = new Argument<string>("SITE_A") { Description = "onprem, dr, dns, managed, objstore or hyops (this machine)" };
        var siteB = new Argument<string>("SITE_B") { Description = "onprem, dr, dns, managed, objstore or hyops (this machine)" };
        var partition = new Command("partition", "Cut the network between two sites, both directions (`lab heal` restores it)") { siteA, siteB, partitionDir };
        partition.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => PartitionAsync(invocation(parse), parse.GetValue(partitionDir), parse.GetValue(siteA)!, parse.GetValue(siteB)!, ct)));
        var healDir = new Option<string?>("--lab-dir") { Description = labDir.Description };
        var heal = new Command("heal", "Remove every partition") { healDir };
        heal.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => PartitionAsync(invocation(parse), parse.GetValue(healDir), null, null, ct)));
        return [fail, repair, partition, heal];
    }

    private static async Task<int> PartitionAsync(Invocation inv, string? labDirOption, string? siteA, string? siteB, CancellationToken ct)
    {
        var dir = LabDir(inv, labDirOption);
        try
        {
            if (siteA is null || siteB is null)
            {
                await new HybridOps.Lab.Site.SiteLab(time: inv.Time).HealAsync(dir, ct);
            }
            else
            {
                await new HybridOps.Lab.Site.SiteLab(time: inv.Time).PartitionAsync(dir, siteA, siteB, ct);
            }
        }
        catch (ArgumentException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, ex.Message);
        }

        inv.Renderer.Result(new JsonObject { ["partition"] = siteA is null ? null : new JsonArray(siteA, siteB), ["healed"] = siteA is null },
            w => w.WriteLine(siteA is null ? "every partition removed" : $"network cut between {siteA} and {siteB} (both directions)"));
        return 0;
    }

    /// <summary>Fails the on-prem site of the lab recorded for this root; shared with `blueprint drill --disaster onprem-site`.</summary>
    public static async Task<LabSiteResult> FailSiteAsync(Invocation inv, string? labDirOption, CancellationToken ct)
    {
        var dir = LabDir(inv, labDirOption);
        try
        {
            var cut = await new HybridOps.Lab.Site.SiteLab(time: inv.Time).FailSiteAsync(dir, ct);
            return new LabSiteResult("failed", inv.Time.GetUtcNow(), [.. cut.Select(h => $"host {h} (power cut)")]);
        }
        catch (InvalidOperationException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.SiteFailureFailed, ex.Message);
        }
    }

    private static async Task<int> RunAsync(Invocation inv, string? labDirOption, bool repair, CancellationToken ct)
    {
        LabSiteResult result;
        if (repair)
        {
            var dir = LabDir(inv, labDirOption);
            try
            {
                result = new LabSiteResult("repaired", inv.Time.GetUtcNow(), [.. (await new HybridOps.Lab.Site.SiteLab(time: inv.Time).RepairSiteAsync(dir, ct)).Select(h => $"host {h}")]);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                throw HyopsException.From(DiagnosticCatalog.SiteFailureFailed, ex.Message);
            }
        }
        else
        {
            result = await FailSiteAsync(inv, labDirOption, ct);
        }

        inv.Renderer.Result(new JsonObject
        {
            ["site"] = "onprem",
            ["site_status"] = result.SiteStatus,
            ["at"] = result.At.ToString("O"),
            ["processes"] = new JsonArray(result.Processes.Select(p => (JsonNode?)p).ToArray()),
        }, w =>
        {
            w.WriteLine($"on-prem site {result.SiteStatus} at {result.At:O}");
            foreach (var p in result.Processes)
            {
                w.WriteLine($"  {(repair ? "started" : "killed")} {p}");
            }
        });
        return 0;
    }

    /// <summary>The lab dir of a lab that was started (recorded for this root or given), refusing a retired loopback lab's.</summary>
    internal static string LabDir(Invocation inv, string? labDirOption)
    {
        var session = new LabSession(inv);
        if (!session.Recorded && labDirOption is null)
        {
            throw HyopsException.From(DiagnosticCatalog.LabNotRunning, $"no lab recorded for runtime root {inv.Root}");
        }

        var dir = session.Locate(labDirOption);
        LabCommand.RefuseRetiredLab(dir);
        if (!SiteLabCommands.IsHostsLab(dir))
        {
            throw HyopsException.From(DiagnosticCatalog.LabNotRunning, $"no lab in {dir} (no site.json)");
        }

        return dir;
    }
}
