using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// The lab's hosts: each its own mount, uts, pid and network namespace with its own sshd, on the
/// block's bridge. Stateless between calls: everything lives in &lt;lab dir&gt;/hosts/hosts.json, so any
/// hyops process (or the cleaner after a crash) can pick a lab up. hyops reaches the hosts only over SSH.
/// </summary>
public sealed class LabHostSet(IProcessRunner runner, TimeProvider? time = null)
{
    /// <summary>In a partition group, the root namespace (hyops itself, at the bridge address).</summary>
    public const string HyopsSide = "hyops";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly LabHostNetwork _network = new(runner);
    private LabHostProcesses Processes => new(runner, _time);

    /// <summary>
    /// Creates the block's bridge and the named hosts (idempotent: existing hosts keep their address,
    /// key and disk; running ones are left alone) and returns once every named host answers ssh.
    /// </summary>
    public async Task<IReadOnlyList<LabHostInfo>> UpAsync(string labDir, int block, IReadOnlyList<string> hostNames, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hostNames);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Lab hosts are Linux namespaces.");
        }

        LabHostsValidation.Validate(labDir, block, hostNames);
        var plan = new LabAddressPlan(block);
        var paths = new LabHostPaths(labDir);
        var record = LabHostsRecordStore.Load(paths);
        await EnsureBlockIsOursAsync(plan, record, ct);
        Directory.CreateDirectory(paths.HostsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        record = LabHostsRecordStore.Save(paths, record ?? new LabHostsRecord { Block = block, Bridge = plan.BridgeName });
        await _network.EnsureBridgeAsync(plan, ct);
        await LabHostSshFiles.EnsureClientKeyAsync(paths, runner, ct);

        foreach (var name in hostNames)
        {
            var host = record.Find(name) ?? NewHost(plan, paths, record, name);
            record = LabHostsRecordStore.Save(paths, record.With(host));
            await LabHostDisk.PrepareAsync(paths, host, runner, ct);
            await _network.EnsureHostAsync(plan, host, ct);
        }

        await LabHostDisk.WriteHostsFilesAsync(paths, record.Hosts, ct);
        await LabHostSshFiles.WriteClientFilesAsync(paths, block, record.Hosts, ct);
        return await StartAsync(labDir, hostNames, ct);
    }

    /// <summary>Starts recorded hosts that are not running (after a power cut or a stop); their disk, address and key are kept.</summary>
    public async Task<IReadOnlyList<LabHostInfo>> StartAsync(string labDir, IReadOnlyList<string> hostNames, CancellationToken ct)
    {
        var paths = new LabHostPaths(labDir);
        var record = RequireRecord(paths);
        var hosts = hostNames.Select(n => Require(record, n)).ToList();
        foreach (var host in hosts.Where(h => !LabHostProcesses.IsRunning(h)))
        {
            record = LabHostsRecordStore.Save(paths, record.With(await Processes.StartAsync(paths, host, ct)));
        }

        var readiness = new LabHostReadiness(runner, _time);
        await Task.WhenAll(hostNames.Select(n => readiness.WaitAsync(paths, record.Find(n)!, ReadyTimeout, ct)));
        return hostNames.Select(n => Info(paths, record.Find(n)!)).ToList();
    }

    /// <summary>What hyops needs to reach each recorded host (empty when the lab dir has no hosts).</summary>
    public static IReadOnlyList<LabHostInfo> Hosts(string labDir)
    {
        var paths = new LabHostPaths(labDir);
        return LabHostsRecordStore.Load(paths)?.Hosts.Select(h => Info(paths, h)).ToList() ?? [];
    }

    /// <summary>Root-namespace pids of every process running in a host (pid 1 first); empty when it is down.</summary>
    public static IReadOnlyList<int> ProcessesOf(string labDir, string hostName)
    {
        var host = Require(RequireRecord(new LabHostPaths(labDir)), hostName);
        return LabHostProcesses.IsRunning(host)
            ? [host.InitPid!.Value, .. LabHostProcesses.HostPids(host.InitPid!.Value).Where(p => p != host.InitPid)]
            : [];
    }

    /// <summary>Stops every host cleanly, then removes veths, namespaces, the bridge and any mount left; hosts' disks stay.</summary>
    public async Task<LabCleanReport> DownAsync(string labDir, CancellationToken ct)
    {
        var paths = new LabHostPaths(labDir);
        var record = LabHostsRecordStore.Load(paths);
        if (record is not null)
        {
            await Task.WhenAll(record.Hosts.Select(h => Processes.StopAsync(h, StopGrace, ct)));
        }

        return await new LabCleaner(runner, _time).CleanAsync(labDir, record?.Block, ct);
    }

    /// <summary>SIGKILL of each host's pid 1: every process of the host dies at once; its disk survives for <see cref="StartAsync"/>.</summary>
    public async Task PowerCutAsync(string labDir, IReadOnlyCollection<string> hostNames, CancellationToken ct)
    {
        var record = RequireRecord(new LabHostPaths(labDir));
        await Task.WhenAll(hostNames.Select(n => Processes.PowerCutAsync(Require(record, n), ct)));
    }

    /// <summary>
    /// Cuts <paramref name="groupA"/> from <paramref name="groupB"/> in both directions with blackhole
    /// routes inside each host (a local sender gets an immediate error, as from a dead route). hyops keeps
    /// reaching both sides unless <see cref="HyopsSide"/> is named in a group.
    /// </summary>
    public async Task PartitionAsync(string labDir, IReadOnlyCollection<string> groupA, IReadOnlyCollection<string> groupB, CancellationToken ct)
    {
        var paths = new LabHostPaths(labDir);
        var record = RequireRecord(paths);
        var partition = LabPartition.Resolve(record, groupA, groupB);
        foreach (var (host, addresses) in partition)
        {
            record = LabHostsRecordStore.Save(paths, record.With(host with { Blackholes = [.. host.Blackholes.Union(addresses)] }));
            await _network.BlackholeAsync(host.Netns, addresses, ct);
        }
    }

    /// <summary>Removes every partition's blackhole routes.</summary>
    public async Task HealAsync(string labDir, CancellationToken ct)
    {
        var paths = new LabHostPaths(labDir);
        var record = RequireRecord(paths);
        foreach (var host in record.Hosts)
        {
            await _network.RemoveBlackholesAsync(host.Netns, ct);
            record = LabHostsRecordStore.Save(paths, record.With(host with { Blackholes = [] }));
        }
    }

    private async Task EnsureBlockIsOursAsync(LabAddressPlan plan, LabHostsRecord? record, CancellationToken ct)
    {
        if (record is not null && record.Block != plan.Block)
        {
            throw HyopsException.From(DiagnosticCatalog.LabHostsInputInvalid,
                $"this lab dir already has hosts in block {record.Block}; take them down before using block {plan.Block}");
        }

        if (record is null)
        {
            var foreign = (await _network.ListNamespacesAsync(ct)).FirstOrDefault(n => n.StartsWith(plan.NamespacePrefix, StringComparison.Ordinal));
            if (LabHostNetwork.LinkExists(plan.BridgeName) || foreign is not null)
            {
                throw HyopsException.From(DiagnosticCatalog.LabBlockInUse,
                    $"block {plan.Block} is in use ({(foreign is null ? "bridge " + plan.BridgeName : "netns " + foreign)} exists) and this lab dir does not record it");
            }
        }
    }

    private static LabHostRecord NewHost(LabAddressPlan plan, LabHostPaths paths, LabHostsRecord record, string name)
    {
        var used = record.Hosts.Select(h => h.Address).ToHashSet(StringComparer.Ordinal);
        var index = Enumerable.Range(0, LabAddressPlan.MaxHosts).FirstOrDefault(i => !used.Contains(plan.HostAddress(i)), -1);
        if (index < 0)
        {
            throw HyopsException.From(DiagnosticCatalog.LabHostsInputInvalid, $"block {plan.Block} has no free address left for host '{name}'");
        }

        var address = plan.HostAddress(index);
        return new LabHostRecord
        {
            Name = name,
            Address = address,
            Netns = plan.NamespaceName(name),
            Veth = LabAddressPlan.VethName(address),
            InitScript = paths.InitScript(name),
        };
    }

    private static LabHostsRecord RequireRecord(LabHostPaths paths) =>
        LabHostsRecordStore.Load(paths)
        ?? throw HyopsException.From(DiagnosticCatalog.LabHostsInputInvalid, $"{paths.LabDir} has no lab hosts (no {paths.RecordFile})");

    private static LabHostRecord Require(LabHostsRecord record, string name) =>
        record.Find(name)
        ?? throw HyopsException.From(DiagnosticCatalog.LabHostsInputInvalid,
            $"no lab host '{name}' (known: {string.Join(", ", record.Hosts.Select(h => h.Name))})");

    private static LabHostInfo Info(LabHostPaths paths, LabHostRecord host) => new(
        host.Name, host.Address, 22, "root", paths.IdentityFile, paths.KnownHostsFile, paths.SshConfigFile,
        "sudo", "postgres", "start-stop-daemon");
}
