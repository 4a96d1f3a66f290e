using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// `lab down` and fault injection. Everything is stopped by recorded pid (verified against its argv),
/// never by process name, so other labs and any system PostgreSQL on the host are never touched.
/// </summary>
internal sealed class LabStopper(TimeProvider time)
{
    private static readonly TimeSpan PatroniGrace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PostmasterGrace = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan EtcdGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PdnsGrace = TimeSpan.FromSeconds(10);

    public async Task DownAsync(string labDir, bool purge, IProgress<string>? progress, CancellationToken ct)
    {
        var layout = new LabLayout(labDir);
        var t0 = time.GetTimestamp();
        var state = await LabStateStore.LoadAsync(layout, ct);
        var members = state?.Topology.Members.Select(m => m.Name).ToList() ?? ScanMemberDirs(layout);

        // 0. Daemons modules started under the lab dir (DR sites under sites/*, on-prem rebuilds): each
        //    registry stops its Patroni first and its etcd last, by pid after an argv check.
        foreach (var registry in RegistryFiles(layout))
        {
            var stopped = await ProcessRegistry.StopAsync(registry, null, time, ct);
            progress?.Report($"{stopped.Count} registered process(es) of {Path.GetRelativePath(layout.LabDir, Path.GetDirectoryName(registry)!)} stopped in {Seconds(t0)}");
        }

        // 1. Patroni first, all at once: on SIGTERM each Patroni stops its own PostgreSQL cleanly and
        //    stops its HA loop, so no replica promotes itself while the cluster goes down.
        var patronis = (state?.Processes ?? []).Where(p => p.Kind == "patroni" && LabDaemons.IsAlive(p)).ToList();
        await Task.WhenAll(patronis.Select(p => ProcessControl.TerminateAsync(p.Pid!.Value, UnixSignal.Terminate, PatroniGrace, time, ct)));
        progress?.Report($"{patronis.Count} patroni stopped in {Seconds(t0)}");

        // 2. Any postmaster still alive (Patroni killed earlier, or it timed out): fast shutdown by its pid file.
        foreach (var member in members)
        {
            if (PostmasterPid.ReadLive(layout.PostmasterPidFile(member), layout.DataDir(member)) is { } pid)
            {
                await StopPostmasterAsync(pid, UnixSignal.Interrupt, PostmasterGrace, ct);
                progress?.Report($"{member} postgres (pid {pid}) stopped in {Seconds(t0)}");
            }
        }

        // 3. The object-store site (Azurite, s3rver) and the DNS site (PowerDNS), independent of the cluster.
        var stores = (state?.Processes ?? []).Where(p => p.Kind == LabObjectStores.Kind && LabDaemons.IsAlive(p)).ToList();
        await Task.WhenAll(stores.Select(p => ProcessControl.TerminateAsync(p.Pid!.Value, UnixSignal.Terminate, PdnsGrace, time, ct)));
        if (stores.Count > 0)
        {
            progress?.Report($"{stores.Count} object store(s) stopped in {Seconds(t0)}");
        }

        if (state?.Process("pdns") is { } pdns && LabDaemons.IsAlive(pdns))
        {
            await ProcessControl.TerminateAsync(pdns.Pid!.Value, UnixSignal.Terminate, PdnsGrace, time, ct);
            progress?.Report($"pdns stopped in {Seconds(t0)}");
        }

        // 4. etcd last: Patroni needs it to release its leader key on the way down.
        if (state?.Process("etcd") is { } etcd && LabDaemons.IsAlive(etcd))
        {
            await ProcessControl.TerminateAsync(etcd.Pid!.Value, UnixSignal.Terminate, EtcdGrace, time, ct);
            progress?.Report($"etcd stopped in {Seconds(t0)}");
        }

        var survivors = (state?.Processes ?? []).Where(LabDaemons.IsAlive).Select(p => $"{p.Kind} {p.Name} pid {p.Pid}")
            .Concat(RegistryFiles(layout).SelectMany(ProcessRegistry.Load).Where(p => p.IsAlive).Select(p => $"{p.Name} pid {p.Pid}"))
            .Concat(members.Where(m => PostmasterPid.ReadLive(layout.PostmasterPidFile(m), layout.DataDir(m)) is not null)
                .Select(m => $"postgres {m}"))
            .ToList();
        if (survivors.Count > 0)
        {
            throw new InvalidOperationException($"lab down left processes running: {string.Join(", ", survivors)}");
        }

        if (purge)
        {
            Directory.Delete(layout.LabDir, recursive: true);
            progress?.Report($"lab dir {layout.LabDir} deleted");
        }
        else if (state is not null)
        {
            var stopped = state with
            {
                Status = "stopped",
                StoppedAt = time.GetUtcNow(),
                Processes = [.. state.Processes.Select(p => p with { Pid = null })],
            };
            await LabStateStore.SaveAsync(layout, stopped, ct);
        }

        progress?.Report($"lab down in {Seconds(t0)}");
    }

    /// <summary>
    /// Retires the lab's own database tier cleanly (failback rebuild): SIGTERM to every lab Patroni at
    /// once (each stops its PostgreSQL with a clean shutdown and leaves its HA loop, so nobody promotes),
    /// then a fast shutdown of any postmaster still alive. etcd and PowerDNS keep running. Returns what
    /// was stopped; lab.json records site_status "retired" so `lab status` does not report a failure.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopDatabasesAsync(string labDir, CancellationToken ct)
    {
        var layout = new LabLayout(labDir);
        var state = await LabStateStore.LoadAsync(layout, ct) ?? throw new InvalidOperationException($"No lab recorded in {layout.LabDir}.");
        var stopped = new List<string>();
        var patronis = state.Processes.Where(p => p.Kind == "patroni" && LabDaemons.IsAlive(p)).ToList();
        await Task.WhenAll(patronis.Select(p => ProcessControl.TerminateAsync(p.Pid!.Value, UnixSignal.Terminate, PatroniGrace, time, ct)));
        stopped.AddRange(patronis.Select(p => $"patroni {p.Name} pid {p.Pid}"));
        foreach (var member in state.Topology.Members.Select(m => m.Name))
        {
            if (PostmasterPid.ReadLive(layout.PostmasterPidFile(member), layout.DataDir(member)) is { } pid)
            {
                await StopPostmasterAsync(pid, UnixSignal.Interrupt, PostmasterGrace, ct);
                stopped.Add($"postgres {member} pid {pid}");
            }
        }

        await LabStateStore.SaveAsync(layout, state with { SiteStatus = "retired" }, ct);
        return stopped;
    }

    /// <summary>
    /// Simulates a node whose PostgreSQL died outside hyops: SIGKILLs the member's Patroni first
    /// (otherwise Patroni would restart PostgreSQL within one loop_wait), then stops its postmaster
    /// with an immediate shutdown (SIGQUIT, like `pg_ctl stop -m immediate`; SIGKILL fallback).
    /// If the member was the leader, its leader key expires after ttl (10 s) and a replica takes over.
    /// `lab up` restarts the member; `lab down` handles the dead pids.
    /// </summary>
    public async Task StopPostgresOfMemberAsync(string labDir, string member, CancellationToken ct)
    {
        var layout = new LabLayout(labDir);
        var state = await LabStateStore.LoadAsync(layout, ct) ?? throw new InvalidOperationException($"No lab recorded in {layout.LabDir}.");
        state.Topology.Member(member);
        if (state.Process(member) is { } patroni && LabDaemons.IsAlive(patroni))
        {
            await ProcessControl.TerminateAsync(patroni.Pid!.Value, UnixSignal.Kill, TimeSpan.FromSeconds(5), time, ct);
        }

        if (PostmasterPid.ReadLive(layout.PostmasterPidFile(member), layout.DataDir(member)) is { } pid)
        {
            await StopPostmasterAsync(pid, UnixSignal.Quit, TimeSpan.FromSeconds(10), ct);
        }
    }

    /// <summary>Signals the postmaster; on SIGKILL fallback also kills its children, which would otherwise linger as orphans.</summary>
    private async Task StopPostmasterAsync(int pid, UnixSignal signal, TimeSpan grace, CancellationToken ct)
    {
        var children = ProcessControl.ListChildren(pid);
        var outcome = await ProcessControl.TerminateAsync(pid, signal, grace, time, ct);
        if (outcome == TerminationOutcome.Killed)
        {
            foreach (var child in children.Where(ProcessControl.IsAlive))
            {
                ProcessControl.Signal(child, UnixSignal.Kill);
            }
        }
    }

    /// <summary>Every processes.json a module wrote anywhere under the lab dir.</summary>
    internal static IReadOnlyList<string> RegistryFiles(LabLayout layout) =>
        Directory.Exists(layout.LabDir)
            ? [.. Directory.EnumerateFiles(layout.LabDir, ProcessRegistry.FileName, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).Order(StringComparer.Ordinal)]
            : [];

    private static List<string> ScanMemberDirs(LabLayout layout) =>
        Directory.Exists(layout.LabDir)
            ? [.. Directory.GetDirectories(layout.LabDir, "pg*").Select(Path.GetFileName).OfType<string>()]
            : [];

    private string Seconds(long start) =>
        time.GetElapsedTime(start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
}
