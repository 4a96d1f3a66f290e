using HybridOps.Core.Diagnostics;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// A command exceeded its <see cref="HostCommand.Timeout"/> (HYO7103): a connectivity failure naming
/// the host and the command, never an <see cref="OperationCanceledException"/>; only the caller's
/// own token cancels.
/// </summary>
public sealed class HostCommandTimeoutException(SiteHost host, IReadOnlyList<string> argv, TimeSpan timeout, Exception? inner = null)
    : HostException(host, DiagnosticCatalog.HostCommandTimeout,
        $"on host {host?.Name} ({host?.Address}): '{string.Join(' ', argv ?? [])}' did not finish within {timeout.TotalSeconds:0.###} s", inner)
{
    /// <summary>The command's own argv (not the ssh wrapping).</summary>
    public IReadOnlyList<string> Argv { get; } = argv ?? [];

    public TimeSpan Timeout { get; } = timeout;
}
