using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Lab.Site;

/// <summary>
/// The lab's hosts as a real site's hosts: one <see cref="SshHostExecutor"/> and service manager per
/// host, built only from what <see cref="LabHostInfo"/> says (address, key, known_hosts). Disposing
/// closes every ssh control master, so no ssh process outlives the command.
/// </summary>
internal sealed class SiteLabHosts : IAsyncDisposable
{
    private readonly Dictionary<string, IHostExecutor> _executors = new(StringComparer.Ordinal);

    public SiteLabHosts(IEnumerable<LabHostInfo> hosts, IProcessRunner runner)
    {
        foreach (var info in hosts)
        {
            _executors[info.Name] = new SshHostExecutor(ToSiteHost(info), new SshExecutorOptions(), runner);
        }
    }

    public IHostExecutor this[string name] => _executors.TryGetValue(name, out var e) ? e : throw new ArgumentException($"no lab host '{name}'", nameof(name));

    public IServiceManager Services(string name) => new StartStopDaemonServiceManager(this[name]);

    public IEnumerable<string> Names => _executors.Keys;

    public static SiteHost ToSiteHost(LabHostInfo info) => new(info.Name, info.Address)
    {
        SshPort = info.SshPort,
        SshUser = info.SshUser,
        IdentityFile = info.IdentityFile,
        KnownHostsFile = info.KnownHostsFile,
        Become = info.Become == "none" ? BecomeMethod.None : BecomeMethod.Sudo,
        ServiceUser = info.ServiceUser,
        Transport = SiteHost.SshTransport,
    };

    /// <summary>Runs a command as root on the host and fails with its stderr when it exits non-zero.</summary>
    public async Task<HostResult> RootAsync(string host, CancellationToken ct, params string[] argv)
    {
        var r = await this[host].RunAsync(new HostCommand(argv) { RunAs = HostCommand.Root, Timeout = TimeSpan.FromSeconds(60) }, ct);
        return r.ExitCode == 0 ? r : throw new InvalidOperationException($"{host}: '{string.Join(' ', argv)}' exited {r.ExitCode}: {r.StdErr.Trim()}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _executors.Values)
        {
            await e.DisposeAsync();
        }

        _executors.Clear();
    }
}
