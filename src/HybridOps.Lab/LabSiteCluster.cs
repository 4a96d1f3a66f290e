using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// Which Patroni cluster serves the on-prem site's hosts. Normally the lab's own members; after a
/// failback the old members are retired (or dead) and a module-built cluster on the same hosts,
/// registered under <c>&lt;lab dir&gt;/rebuild/&lt;scope&gt;/processes.json</c>, is the site's cluster.
/// </summary>
internal sealed record LabSiteCluster(string Source, string Registry)
{
    public const string RebuildDir = "rebuild";

    /// <summary>
    /// The newest rebuild that registered a Patroni for every member of the site, when none of the lab's
    /// own Patroni processes is alive; null when the lab's own members are the site's cluster.
    /// </summary>
    public static LabSiteCluster? Find(LabLayout layout, LabState state)
    {
        var root = Path.Combine(layout.LabDir, RebuildDir);
        if (!Directory.Exists(root) || state.Topology.Members.Any(m => LabDaemons.IsAlive(state.Process(m.Name))))
        {
            return null;
        }

        return Directory.EnumerateFiles(root, ProcessRegistry.FileName, SearchOption.AllDirectories)
            .Where(r => state.Topology.Members.All(m => ProcessRegistry.Load(r).Any(p => p.Name == $"patroni-{m.Name}")))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .Select(r => new LabSiteCluster(Path.GetRelativePath(layout.LabDir, Path.GetDirectoryName(r)!), r))
            .FirstOrDefault();
    }

    /// <summary>A member's Patroni and postmaster in this cluster (the postmaster found through its data_dir's postmaster.pid).</summary>
    public IEnumerable<LabProcessStatus> MemberProcesses(string member)
    {
        var registered = ProcessRegistry.Load(Registry);
        var patroni = registered.FirstOrDefault(p => p.Name == $"patroni-{member}");
        yield return new LabProcessStatus(member, "patroni", patroni?.Pid, patroni?.IsAlive == true);
        var live = patroni is null ? null : ProcessRegistry.PostmasterOf(patroni.Marker);
        var recorded = registered.FirstOrDefault(p => p.Name == $"postgres-{member}");
        yield return new LabProcessStatus(member, "postgres", live?.Pid ?? recorded?.Pid, live is not null);
    }
}
