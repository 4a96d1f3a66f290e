using HybridOps.Core.Diagnostics;

namespace HybridOps.Postgres.Hosts;

/// <summary>The host's key is unknown or differs from known_hosts (HYO7102). Never accepted silently.</summary>
public sealed class HostKeyRejectedException(SiteHost host, string detail)
    : HostException(host, DiagnosticCatalog.HostKeyRejected,
        $"host {host?.Name} ({host?.Address}:{host?.SshPort}): host key verification failed "
        + $"(known_hosts: {host?.KnownHostsFile ?? "the user's"}): {detail}");
