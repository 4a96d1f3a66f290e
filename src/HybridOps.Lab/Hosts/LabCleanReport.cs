using System.Collections.Immutable;

namespace HybridOps.Lab.Hosts;

/// <summary>What the cleaner removed: killed pids (root namespace), namespaces, links and mounts.</summary>
public sealed record LabCleanReport(
    ImmutableArray<int> KilledPids,
    ImmutableArray<string> Namespaces,
    ImmutableArray<string> Links,
    ImmutableArray<string> Mounts)
{
    public bool RemovedAnything => KilledPids.Length + Namespaces.Length + Links.Length + Mounts.Length > 0;
}
