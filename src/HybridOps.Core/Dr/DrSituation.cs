using System.Collections.Immutable;

namespace HybridOps.Core.Dr;

/// <summary>What is reachable now, as the operator (or a monitor) declares it: hyops does not probe sites here.</summary>
public sealed record DrSituation(bool OnpremReachable, bool DrSiteReachable, bool ManagedReachable, ImmutableArray<string> UnreachableRepositories)
{
    public bool RepositoryReachable(string? repo) => repo is not null && !UnreachableRepositories.Contains(repo, StringComparer.Ordinal);
}
