using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>Builds <see cref="LabStatus"/> from lab.json, /proc and (if reachable) Patroni.</summary>
internal static class LabStatusReader
{
    public static async Task<LabStatus> ReadAsync(string labDir, CancellationToken ct)
    {
        var layout = new LabLayout(labDir);
        var state = await LabStateStore.LoadAsync(layout, ct);
        if (state is null)
        {
            return new LabStatus(layout.LabDir, "absent", [], null, $"no lab.json in {layout.LabDir}");
        }

        var processes = new List<LabProcessStatus>();
        if (state.Process("etcd") is { } etcd)
        {
            processes.Add(new LabProcessStatus("etcd", "etcd", etcd.Pid, LabDaemons.IsAlive(etcd)));
        }

        // After a failback the site's cluster is the rebuilt one on the same hosts: report its processes for the members.
        var siteCluster = LabSiteCluster.Find(layout, state);
        foreach (var member in state.Topology.Members)
        {
            if (siteCluster is not null)
            {
                processes.AddRange(siteCluster.MemberProcesses(member.Name));
                continue;
            }

            var patroni = state.Process(member.Name);
            processes.Add(new LabProcessStatus(member.Name, "patroni", patroni?.Pid, LabDaemons.IsAlive(patroni)));

            // A stale postmaster.pid (SIGKILL leaves it behind) names a dead or recycled pid: report it as not alive.
            var pidFile = layout.PostmasterPidFile(member.Name);
            var live = PostmasterPid.ReadLive(pidFile, layout.DataDir(member.Name));
            processes.Add(new LabProcessStatus(member.Name, "postgres", live ?? PostmasterPid.Read(pidFile), live is not null));
        }

        if (state.Process("pdns") is { } pdns)
        {
            processes.Add(new LabProcessStatus("pdns", "pdns", pdns.Pid, LabDaemons.IsAlive(pdns)));
        }

        // Daemons modules registered under the lab dir (DR site etcd, restored Patroni/PostgreSQL).
        foreach (var registry in LabStopper.RegistryFiles(layout).Where(r => r != siteCluster?.Registry))
        {
            var kind = Path.GetRelativePath(layout.LabDir, Path.GetDirectoryName(registry)!);
            processes.AddRange(ProcessRegistry.Load(registry).Select(p => new LabProcessStatus(p.Name, kind, p.Pid, p.IsAlive)));
        }

        var cluster = state.Status == "stopped" ? null : await LabHttp.TryGetClusterAsync(state.Topology.Members, ct);
        var error = cluster is not null ? null
            : state.Status == "stopped" ? "lab is stopped"
            : state.SiteStatus is { } site ? $"on-prem site {site} (no Patroni REST API answered)"
            : "no Patroni REST API answered";
        return new LabStatus(layout.LabDir, state.Status, processes, cluster, error, state.SiteStatus, siteCluster?.Source);
    }
}
