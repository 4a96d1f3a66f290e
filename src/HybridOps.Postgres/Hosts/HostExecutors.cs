namespace HybridOps.Postgres.Hosts;

/// <summary>Picks the executor for a host's <see cref="SiteHost.Transport"/>.</summary>
public static class HostExecutors
{
    public static IHostExecutor Create(SiteHost host, SshExecutorOptions? sshOptions = null, Exec.IProcessRunner? runner = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Transport switch
        {
            SiteHost.SshTransport => new SshHostExecutor(host, sshOptions, runner),
            SiteHost.LocalTransport => new LocalHostExecutor(host, runner),
            _ => throw new ArgumentException($"host {host.Name}: transport '{host.Transport}' is not one of ssh, local", nameof(host)),
        };
    }
}
