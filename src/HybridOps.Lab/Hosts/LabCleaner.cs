using System.Collections.Immutable;
using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// The one place that removes everything lab hosts leave behind, also after a crashed run (like
/// mininet's clean.py): what hosts.json records, and everything named for the block
/// (namespaces <c>hyops-&lt;k&gt;-*</c>, bridge <c>hyb&lt;k&gt;</c>, veths <c>hyv&lt;octet&gt;</c> of the block's addresses).
/// Processes are SIGKILLed here: a clean stop is <see cref="LabHostSet.DownAsync"/>'s job before it calls this.
/// </summary>
public sealed class LabCleaner(IProcessRunner runner, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly LabHostNetwork _network = new(runner);

    /// <summary>Cleans by the lab dir's record (when there is one) and by the naming of <paramref name="block"/> (when given).</summary>
    public async Task<LabCleanReport> CleanAsync(string? labDir, int? block, CancellationToken ct)
    {
        var paths = labDir is null ? null : new LabHostPaths(labDir);
        var record = paths is null ? null : LabHostsRecordStore.Load(paths);
        var plans = new[] { record?.Block, block }.OfType<int>().Distinct().Select(b => new LabAddressPlan(b)).ToList();
        var recorded = record?.Hosts ?? [];

        var listed = await _network.ListNamespacesAsync(ct);
        var namespaces = recorded.Select(h => h.Netns)
            .Concat(listed.Where(n => plans.Any(p => n.StartsWith(p.NamespacePrefix, StringComparison.Ordinal))))
            .Distinct(StringComparer.Ordinal).Where(LabHostNetwork.NamespaceExists).ToList();

        var killed = await KillAsync(recorded, namespaces, ct);
        var mounts = paths is null ? [] : await UnmountAsync(paths.LabDir, ct);

        var links = recorded.Select(h => h.Veth)
            .Concat(plans.SelectMany(p => p.AllHostAddresses().Select(LabAddressPlan.VethName)))
            .Concat(record is null ? [] : [record.Bridge]).Concat(plans.Select(p => p.BridgeName))
            .Distinct(StringComparer.Ordinal).Where(LabHostNetwork.LinkExists).ToList();
        foreach (var link in links)
        {
            await _network.DeleteLinkAsync(link, ct);
        }

        foreach (var netns in namespaces)
        {
            await _network.DeleteNamespaceAsync(netns, ct);
        }

        if (paths is not null)
        {
            LabHostsRecordStore.Delete(paths);
        }

        var report = new LabCleanReport([.. killed], [.. namespaces], [.. links], [.. mounts]);
        EnsureNothingLeft(report, paths);
        return report;
    }

    private async Task<List<int>> KillAsync(IEnumerable<LabHostRecord> recorded, IEnumerable<string> namespaces, CancellationToken ct)
    {
        var pids = new List<int>();
        foreach (var host in recorded.Where(LabHostProcesses.IsRunning))
        {
            // SIGKILL of the host's pid 1 takes its whole pid namespace down at once.
            pids.Add(host.InitPid!.Value);
            pids.Add(host.LauncherPid!.Value);
        }

        foreach (var netns in namespaces)
        {
            pids.AddRange(await _network.NamespacePidsAsync(netns, ct));
        }

        pids = pids.Distinct().Where(p => p > 1 && p != Environment.ProcessId).ToList();
        foreach (var pid in pids)
        {
            ProcessControl.Signal(pid, UnixSignal.Kill);
        }

        foreach (var pid in pids)
        {
            await ProcessControl.WaitForExitAsync(pid, TimeSpan.FromSeconds(5), _time, ct);
        }

        return pids;
    }

    /// <summary>Mounts under the lab dir in the root namespace (hosts mount only in their own; this is a safety net).</summary>
    private async Task<List<string>> UnmountAsync(string labDir, CancellationToken ct)
    {
        var mounts = MountsUnder(labDir);
        foreach (var mount in mounts)
        {
            await runner.RunAsync(new ProcessSpec("umount", ["-l", mount], WorkingDirectory: "/", Timeout: TimeSpan.FromSeconds(20)), ct);
        }

        return mounts;
    }

    private static List<string> MountsUnder(string labDir)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(labDir));
        return File.ReadAllLines("/proc/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(target => target == prefix || target.StartsWith(prefix + "/", StringComparison.Ordinal))
            .OrderByDescending(target => target.Length)
            .ToList();
    }

    private static void EnsureNothingLeft(LabCleanReport report, LabHostPaths? paths)
    {
        var left = report.KilledPids.Where(ProcessControl.IsAlive).Select(p => $"pid {p}")
            .Concat(report.Namespaces.Where(LabHostNetwork.NamespaceExists).Select(n => $"netns {n}"))
            .Concat(report.Links.Where(LabHostNetwork.LinkExists).Select(l => $"link {l}"))
            .Concat(paths is null ? [] : MountsUnder(paths.LabDir).Select(m => $"mount {m}"))
            .ToImmutableArray();
        if (left.Length > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.LabHostsLeftover, $"still present after cleaning: {string.Join(", ", left)}");
        }
    }
}
