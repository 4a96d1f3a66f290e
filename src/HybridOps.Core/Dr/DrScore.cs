using System.Collections.Immutable;

namespace HybridOps.Core.Dr;

/// <summary>An eligible option's score (lower is better) and every term of it, in words.</summary>
public sealed record DrScore(double Total, ImmutableArray<string> Terms);
