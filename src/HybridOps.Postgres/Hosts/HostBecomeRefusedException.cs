using HybridOps.Core.Diagnostics;

namespace HybridOps.Postgres.Hosts;

/// <summary>sudo on the host wanted a password or refused the login user (HYO7105): a configuration failure.</summary>
public sealed class HostBecomeRefusedException(SiteHost host, string? user, string detail)
    : HostException(host, DiagnosticCatalog.HostBecomeRefused,
        $"on host {host?.Name} ({host?.Address}): sudo -n -u {user ?? "root"} was refused: {detail}");
