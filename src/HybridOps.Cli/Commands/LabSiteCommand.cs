using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Lab;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops lab fail-site` (SIGKILL the whole on-prem site: Patroni, PostgreSQL, etcd; DNS stays up) and
/// `hyops lab repair-site` (the hosts come back with etcd only, for a deliberate failback rebuild).
/// </summary>
public static class LabSiteCommand
{
    public static IEnumerable<Command> Build(Func<ParseResult, Invocation> invocation)
    {
        var labDir = new Option<string?>("--lab-dir") { Description = "The lab's data directory (default: the one recorded for this runtime root)" };
        var fail = new Command("fail-site", "Unplanned disaster: SIGKILL every on-prem Patroni, PostgreSQL and etcd at once (DNS site stays up)") { labDir };
        fail.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => RunAsync(invocation(parse), parse.GetValue(labDir), repair: false, ct)));
        var repairDir = new Option<string?>("--lab-dir") { Description = labDir.Description };
        var repair = new Command("repair-site", "The failed site's hosts come back: starts the on-prem etcd only, not Patroni/PostgreSQL") { repairDir };
        repair.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => RunAsync(invocation(parse), parse.GetValue(repairDir), repair: true, ct)));
        return [fail, repair];
    }

    /// <summary>Fails the on-prem site of the lab recorded for this root; shared with `blueprint drill --disaster onprem-site`.</summary>
    public static async Task<LabSiteResult> FailSiteAsync(Invocation inv, string? labDirOption, CancellationToken ct)
    {
        var dir = LabDir(inv, labDirOption);
        try
        {
            return await new LabController(time: inv.Time).FailSiteAsync(dir, ct);
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
                result = await new LabController(time: inv.Time).RepairSiteAsync(dir, ct);
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

    private static string LabDir(Invocation inv, string? labDirOption)
    {
        var session = new LabSession(inv);
        if (!session.Recorded && labDirOption is null)
        {
            throw HyopsException.From(DiagnosticCatalog.LabNotRunning, $"no lab recorded for runtime root {inv.Root}");
        }

        var (dir, _) = session.Locate(labDirOption, null);
        if (!File.Exists(Path.Combine(dir, "lab.json")))
        {
            throw HyopsException.From(DiagnosticCatalog.LabNotRunning, $"no lab.json in {dir}");
        }

        return dir;
    }
}
