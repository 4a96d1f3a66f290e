using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// Starts the lab's daemons detached (they must outlive the hyops process that ran `lab up`) and
/// describes them as <see cref="LabProcessRecord"/>s for lab.json.
/// </summary>
internal sealed class LabDaemons(IProcessRunner runner, TimeProvider time)
{
    public async Task<LabProcessRecord> StartEtcdAsync(LabOptions options, LabLayout layout, string? serviceUser, CancellationToken ct)
    {
        var t = options.Topology;
        PortProbe.EnsureFree("etcd", t.EtcdHost, t.EtcdClientPort, t.EtcdPeerPort);
        var spec = new ProcessSpec(options.EtcdExecutable,
        [
            "--name", "etcd1",
            "--data-dir", layout.EtcdDataDir,
            "--listen-client-urls", t.EtcdClientUrl,
            "--advertise-client-urls", t.EtcdClientUrl,
            "--listen-peer-urls", t.EtcdPeerUrl,
            "--initial-advertise-peer-urls", t.EtcdPeerUrl,
            "--initial-cluster", $"etcd1={t.EtcdPeerUrl}",
            "--initial-cluster-state", "new",
            "--initial-cluster-token", options.ClusterName,
            "--logger", "zap",
        ], WorkingDirectory: layout.EtcdDir, RunAsUser: serviceUser);
        var pid = await runner.StartDetachedAsync(spec, layout.EtcdLog, ct);
        return new LabProcessRecord("etcd", "etcd", pid, layout.EtcdDataDir, layout.EtcdLog, time.GetUtcNow());
    }

    public async Task<LabProcessRecord> StartPatroniAsync(
        LabOptions options, LabLayout layout, LabMember member, string? serviceUser, CancellationToken ct)
    {
        PortProbe.EnsureFree($"patroni {member.Name}", member.Host, member.RestApiPort);
        if (PostmasterPid.ReadLive(layout.PostmasterPidFile(member.Name), layout.DataDir(member.Name)) is null)
        {
            // A live postmaster of this member is fine (Patroni adopts it); anything else on the port is not.
            PortProbe.EnsureFree($"postgres {member.Name}", member.Host, member.PostgresPort);
        }

        // Secrets only through the environment: patroni.yml on disk carries usernames, never passwords.
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATRONI_SUPERUSER_USERNAME"] = LabOptions.SuperuserName,
            ["PATRONI_SUPERUSER_PASSWORD"] = options.SuperuserPassword,
            ["PATRONI_REPLICATION_USERNAME"] = LabOptions.ReplicationUserName,
            ["PATRONI_REPLICATION_PASSWORD"] = options.ReplicationPassword,
        };
        var config = layout.PatroniConfig(member.Name);
        var spec = new ProcessSpec(options.PatroniExecutable, [config], layout.MemberDir(member.Name), env, serviceUser);
        var pid = await runner.StartDetachedAsync(spec, layout.PatroniLog(member.Name), ct);
        return new LabProcessRecord(member.Name, "patroni", pid, config, layout.PatroniLog(member.Name), time.GetUtcNow());
    }

    /// <summary>
    /// PowerDNS authoritative server of the DNS site. Started as the caller (root binds port 53) with
    /// --config-dir naming the lab's dns dir (the argv marker); pdns.conf drops to the service user.
    /// </summary>
    public async Task<LabProcessRecord> StartPdnsAsync(LabOptions options, LabLayout layout, CancellationToken ct)
    {
        var t = options.Topology;
        PortProbe.EnsureFree("pdns", t.DnsHost, t.DnsPort, t.DnsApiPort);
        var spec = new ProcessSpec(options.PdnsExecutable, [$"--config-dir={layout.DnsDir}"], WorkingDirectory: layout.DnsDir);
        var pid = await runner.StartDetachedAsync(spec, layout.DnsLog, ct);
        return new LabProcessRecord("pdns", "pdns", pid, layout.DnsDir, layout.DnsLog, time.GetUtcNow());
    }

    /// <summary>Recorded process still running and still the same program (argv contains its marker).</summary>
    public static bool IsAlive(LabProcessRecord? record)
    {
        if (record?.Pid is not { } pid || !ProcessControl.IsAlive(pid))
        {
            return false;
        }

        // While the exec chain (sh -> setsid -> setpriv -> daemon) runs, /proc/<pid>/cmdline can read
        // empty for a moment; a live pid with no argv yet is ours starting, not a recycled pid.
        var argv = ProcessControl.ReadCommandLine(pid);
        return argv.Count == 0 || argv.Any(a => a.Contains(record.Marker, StringComparison.Ordinal));
    }
}
