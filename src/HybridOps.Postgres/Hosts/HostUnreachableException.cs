using HybridOps.Core.Diagnostics;

namespace HybridOps.Postgres.Hosts;

/// <summary>ssh could not reach or log in to the host (HYO7101; HYO7104 when the login itself was refused).</summary>
public sealed class HostUnreachableException(SiteHost host, string what, bool loginRefused = false)
    : HostException(host,
        loginRefused ? DiagnosticCatalog.HostLoginRefused : DiagnosticCatalog.HostUnreachable,
        $"host {host?.Name} ({host?.Address}:{host?.SshPort}) is unreachable: {what}")
{
    /// <summary>What failed, as ssh reported it (e.g. "Connection refused").</summary>
    public string What { get; } = what;
}
