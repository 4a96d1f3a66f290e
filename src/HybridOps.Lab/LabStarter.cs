using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// `lab up` as a reconcile: keep what is alive and healthy, (re)start what is not, then wait for
/// one leader and streaming replicas. On a fresh bootstrap pg1 starts alone first so it is the one
/// that runs initdb and takes the leader key; the others then clone it with pg_basebackup.
/// </summary>
internal sealed class LabStarter(IProcessRunner runner, TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private readonly LabDaemons _daemons = new(runner, time);

    public async Task<LabInventory> UpAsync(LabOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        options.Topology.Validate();
        var layout = new LabLayout(options.LabDir);
        var t0 = time.GetTimestamp();
        string Since() => time.GetElapsedTime(t0).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
        using var deadline = new CancellationTokenSource(options.StartTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);

        var existing = await LabStateStore.LoadAsync(layout, ct);
        if (existing is { Status: "running" } && existing.Processes.All(LabDaemons.IsAlive)
            && (options.PdnsApiKey is null || existing.Process("pdns") is not null)
            && (options.ObjectStores is null || existing.Process(LabObjectStores.AzuriteName) is not null)
            && await LabHttp.TryGetClusterAsync(existing.Topology.Members, ct) is { } view
            && view.IsHealthy(existing.Topology.MemberCount))
        {
            progress?.Report($"lab already running and healthy in {layout.LabDir}");
            return LabInventory.From(existing);
        }

        if (existing is not null && existing.Topology != options.Topology && existing.Processes.Any(LabDaemons.IsAlive))
        {
            throw new InvalidOperationException($"{layout.LabDir} holds a running lab with another topology; run `lab down` first.");
        }

        var serviceUser = ProcessIdentity.ServiceUserOrNull(options.ServiceUser);
        await LabFiles.PrepareAsync(options, layout, serviceUser, runner, ct);
        var state = new LabState
        {
            ClusterName = options.ClusterName,
            LabDir = layout.LabDir,
            Status = "starting",
            StartedAt = time.GetUtcNow(),
            ServiceUser = serviceUser,
            Topology = options.Topology,
            Processes = [.. (existing?.Processes ?? []).Where(LabDaemons.IsAlive)],
        };
        await LabStateStore.SaveAsync(layout, state, ct);

        try
        {
            if (!LabDaemons.IsAlive(state.Process("etcd")))
            {
                state = await RecordAsync(layout, state, await _daemons.StartEtcdAsync(options, layout, serviceUser, ct), ct);
            }

            await WaitAsync(state, "etcd healthy", () => LabHttp.EtcdHealthyAsync(options.Topology.EtcdClientUrl, linked.Token), linked.Token);
            progress?.Report($"etcd healthy in {Since()}");

            var members = options.Topology.Members;
            var toStart = members.Where(m => !LabDaemons.IsAlive(state.Process(m.Name))).ToList();
            var first = members[0];
            if (toStart.Contains(first) && !File.Exists(Path.Combine(layout.DataDir(first.Name), "PG_VERSION")))
            {
                state = await RecordAsync(layout, state, await _daemons.StartPatroniAsync(options, layout, first, serviceUser, ct), ct);
                toStart.Remove(first);
                await WaitAsync(state, $"{first.Name} leader", async () =>
                    (await LabHttp.TryGetClusterAsync([first], linked.Token))?.Leader is { Name: var n, IsRunning: true } && n == first.Name, linked.Token);
                progress?.Report($"{first.Name} leader in {Since()}");
            }

            foreach (var member in toStart)
            {
                state = await RecordAsync(layout, state, await _daemons.StartPatroniAsync(options, layout, member, serviceUser, ct), ct);
            }

            var reported = new HashSet<string>(StringComparer.Ordinal);
            await WaitAsync(state, "one leader and streaming replicas", async () =>
            {
                var view = await LabHttp.TryGetClusterAsync(members, linked.Token);
                foreach (var m in view?.Members ?? [])
                {
                    var ready = m.IsLeader ? m.IsRunning : m.IsRunning && m.Streaming && m.LagBytes is not null;
                    if (ready && reported.Add(m.Name))
                    {
                        progress?.Report($"{m.Name} {(m.IsLeader ? "leader" : "streaming")} (timeline {m.Timeline}) in {Since()}");
                    }
                }

                // /cluster comes from the DCS, where a dead Patroni's member key lingers for ttl seconds:
                // also require every member's own API to answer.
                return view?.IsHealthy(options.Topology.MemberCount) == true
                    && (await Task.WhenAll(members.Select(m => LabHttp.PatroniAnswersAsync(m, linked.Token)))).All(ok => ok);
            }, linked.Token);

            if (options.PdnsApiKey is { } apiKey)
            {
                if (!LabDaemons.IsAlive(state.Process("pdns")))
                {
                    state = await RecordAsync(layout, state, await _daemons.StartPdnsAsync(options, layout, ct), ct);
                }

                var leader = (await LabHttp.TryGetClusterAsync(members, linked.Token))?.Leader?.Host ?? members[0].Host;
                await LabDns.EnsureZoneAsync(options.Topology, apiKey, leader,
                    (what, condition) => WaitAsync(state, what, condition, linked.Token), linked.Token);
                progress?.Report($"pdns serving {LabTopology.DnsZone} on {options.Topology.DnsHost}:{options.Topology.DnsPort} in {Since()}");
            }

            if (options.ObjectStores is { } keys)
            {
                var stores = new LabObjectStores(runner, time);
                if (!LabDaemons.IsAlive(state.Process(LabObjectStores.AzuriteName)))
                {
                    state = await RecordAsync(layout, state, await stores.StartAzuriteAsync(options, keys, layout, serviceUser, ct), ct);
                }

                if (!LabDaemons.IsAlive(state.Process(LabObjectStores.S3Name)))
                {
                    state = await RecordAsync(layout, state, await stores.StartS3Async(options, keys, layout, serviceUser, ct), ct);
                }

                var sites = LabObjectStores.Sites(options.Topology, layout);
                await WaitAsync(state, "s3rver listening", () => Task.FromResult(PortProbe.IsInUse(sites[1].Host, sites[1].Port)), linked.Token);
                await WaitAsync(state, "azurite container", () => LabAzureContainer.TryEnsureAsync(sites[0], keys.AzureAccountKey, time, linked.Token), linked.Token);
                progress?.Report($"object stores serving TLS: azurite {sites[0].Host}:{sites[0].Port}, s3rver {sites[1].Host}:{sites[1].Port} in {Since()}");
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"lab up did not become healthy within {options.StartTimeout}; processes left running for diagnosis "
                + $"(logs in {layout.LabDir}); run `lab down` to clean up.");
        }

        state = state with { Status = "running" };
        await LabStateStore.SaveAsync(layout, state, ct);
        progress?.Report($"lab up in {Since()}");
        return LabInventory.From(state);
    }

    /// <summary>Records a started pid in lab.json immediately, so `down` can stop it even if `up` fails later.</summary>
    private static async Task<LabState> RecordAsync(LabLayout layout, LabState state, LabProcessRecord record, CancellationToken ct)
    {
        state = state.WithProcess(record);
        await LabStateStore.SaveAsync(layout, state, ct);
        return state;
    }

    /// <summary>Polls <paramref name="condition"/>; fails fast (with the log tail) if a started daemon died.</summary>
    private async Task WaitAsync(LabState state, string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            if (state.Processes.FirstOrDefault(p => !LabDaemons.IsAlive(p)) is { } dead)
            {
                throw new InvalidOperationException($"{dead.Kind} {dead.Name} (pid {dead.Pid}) exited while waiting for {what}.\n{LogTail.Read(dead.LogFile)}");
            }

            await Task.Delay(Poll, time, ct);
        }
    }
}
