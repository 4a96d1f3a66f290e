namespace HybridOps.Lab;

/// <summary>
/// Truthful lab status: OS-level liveness of every process first, Patroni's opinion second.
/// Patroni's /cluster can still list a member as "running" for up to ttl seconds after its node
/// died, so <see cref="Processes"/> is what says whether a member's PostgreSQL is really up.
/// <see cref="SiteStatus"/> is null while the on-prem site was never failed, else "failed", "repaired" or "retired".
/// <see cref="ClusterSource"/> is null while the lab's own members serve the site, else the dir (e.g.
/// "rebuild/hyops-onprem") of the cluster a failback built on the site's hosts, whose processes are reported.
/// </summary>
public sealed record LabStatus(
    string LabDir,
    string RecordedStatus,
    IReadOnlyList<LabProcessStatus> Processes,
    LabClusterView? Cluster,
    string? ClusterError,
    string? SiteStatus = null,
    string? ClusterSource = null)
{
    public LabProcessStatus? Find(string name, string kind) =>
        Processes.FirstOrDefault(p => p.Name == name && p.Kind == kind);

    /// <summary>True when that member's postmaster is alive according to its postmaster.pid.</summary>
    public bool IsPostgresRunning(string member) => Find(member, "postgres")?.Alive == true;

    public bool AllProcessesAlive => Processes.Count > 0 && Processes.All(p => p.Alive);

    public bool NoProcessAlive => Processes.All(p => !p.Alive);

    /// <summary>Pids of the lab processes that are alive right now.</summary>
    public IReadOnlyList<int> LivePids => [.. Processes.Where(p => p.Alive && p.Pid is not null).Select(p => p.Pid!.Value)];
}
