using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// The unplanned scenario: the whole on-prem site dies at once. Every Patroni, every postmaster (with
/// its children) and the on-prem etcd get SIGKILL, by recorded pid checked against argv, so nothing
/// shuts down cleanly and no replica gets a chance to promote. The DNS site is another site: it stays up.
/// `repair-site` brings the hosts back with etcd only, so the on-prem cluster is rebuilt deliberately
/// (failback) and never restarts by itself.
/// </summary>
internal sealed class LabSiteFailure(IProcessRunner runner, TimeProvider time)
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    public async Task<LabSiteResult> FailAsync(string labDir, CancellationToken ct)
    {
        var layout = new LabLayout(labDir);
        var state = await LabStateStore.LoadAsync(layout, ct) ?? throw new InvalidOperationException($"No lab recorded in {layout.LabDir}.");
        if (state.Status == "stopped")
        {
            throw new InvalidOperationException($"The lab in {layout.LabDir} is stopped; there is no site to fail.");
        }

        var at = time.GetUtcNow();
        var killed = new List<string>();

        // Gather every target first, then kill them back to back: a site failure is one instant, not a sequence.
        var patronis = state.Processes.Where(p => p.Kind == "patroni" && LabDaemons.IsAlive(p)).ToList();
        var postmasters = state.Topology.Members
            .Select(m => (m.Name, Pid: PostmasterPid.ReadLive(layout.PostmasterPidFile(m.Name), layout.DataDir(m.Name))))
            .Where(x => x.Pid is not null)
            .Select(x => (x.Name, Pid: x.Pid!.Value, Children: ProcessControl.ListChildren(x.Pid!.Value)))
            .ToList();
        var etcd = state.Process("etcd") is { } e && LabDaemons.IsAlive(e) ? e : null;

        foreach (var p in patronis)
        {
            ProcessControl.Signal(p.Pid!.Value, UnixSignal.Kill);
            killed.Add($"patroni {p.Name} {p.Pid}");
        }

        foreach (var (name, pid, children) in postmasters)
        {
            ProcessControl.Signal(pid, UnixSignal.Kill);
            foreach (var child in children.Where(ProcessControl.IsAlive))
            {
                ProcessControl.Signal(child, UnixSignal.Kill);
            }

            killed.Add($"postgres {name} {pid}");
        }

        if (etcd is not null)
        {
            ProcessControl.Signal(etcd.Pid!.Value, UnixSignal.Kill);
            killed.Add($"etcd {etcd.Name} {etcd.Pid}");
        }

        // Reap-wait so callers (and `lab status`) see the site dead, not dying.
        var pids = patronis.Select(p => p.Pid!.Value).Concat(postmasters.SelectMany(p => p.Children.Append(p.Pid)));
        if (etcd is not null)
        {
            pids = pids.Append(etcd.Pid!.Value);
        }

        await Task.WhenAll(pids.Select(pid => ProcessControl.WaitForExitAsync(pid, KillWait, time, ct)));
        await LabStateStore.SaveAsync(layout, state with { SiteStatus = "failed", SiteFailedAt = at, SiteRepairedAt = null }, ct);
        return new LabSiteResult("failed", at, killed);
    }

    public async Task<LabSiteResult> RepairAsync(string labDir, CancellationToken ct)
    {
        var layout = new LabLayout(labDir);
        var state = await LabStateStore.LoadAsync(layout, ct) ?? throw new InvalidOperationException($"No lab recorded in {layout.LabDir}.");
        if (state.SiteStatus != "failed")
        {
            throw new InvalidOperationException($"The on-prem site of {layout.LabDir} is not failed (site status: {state.SiteStatus ?? "up"}); nothing to repair.");
        }

        var started = new List<string>();
        if (!LabDaemons.IsAlive(state.Process("etcd")))
        {
            // etcd needs no secret; the lab passwords are not known here and are not needed.
            var options = new LabOptions(layout.LabDir, "", "") { ClusterName = state.ClusterName, Topology = state.Topology };
            var record = await new LabDaemons(runner, time).StartEtcdAsync(options, layout, state.ServiceUser, ct);
            state = state.WithProcess(record);
            await LabStateStore.SaveAsync(layout, state, ct);
            started.Add($"etcd {record.Name} {record.Pid}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!await LabHttp.EtcdHealthyAsync(state.Topology.EtcdClientUrl, deadline.Token))
        {
            if (!LabDaemons.IsAlive(state.Process("etcd")))
            {
                throw new InvalidOperationException($"etcd exited while the site was repaired.\n{LogTail.Read(layout.EtcdLog)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, deadline.Token);
        }

        var at = time.GetUtcNow();
        await LabStateStore.SaveAsync(layout, state with { SiteStatus = "repaired", SiteRepairedAt = at }, ct);
        return new LabSiteResult("repaired", at, started);
    }
}
