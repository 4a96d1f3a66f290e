using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace HybridOps.Core.Dr;

/// <summary>
/// One way to recover the service: a DR blueprint and the --inputs that select its variant (restore from
/// repo2 is the failover blueprint with another repo_state_ref, not a code path of its own).
/// </summary>
public sealed record DrOption
{
    public const string PremiumPromote = "premium-promote";
    public const string RestoreRepo1 = "restore-repo1";
    public const string RestoreRepo2 = "restore-repo2";

    /// <summary>premium-promote | restore-repo1 | restore-repo2.</summary>
    public required string Id { get; init; }
    public required string Title { get; init; }
    /// <summary>promote | restore.</summary>
    public required string Kind { get; init; }
    public required string BlueprintRef { get; init; }
    /// <summary>restore: the repository restored from; null for a promotion.</summary>
    public string? RepoStateRef { get; init; }
    /// <summary>Where the service lands: managed (the cloud's managed PostgreSQL) or dr-hosts (self-managed hosts).</summary>
    public required string Site { get; init; }
    /// <summary>The --inputs document (step id → inputs) that selects this variant of the blueprint.</summary>
    public JsonObject Inputs { get; init; } = new();
    /// <summary>The typed confirmations the operator gives when running it.</summary>
    public ImmutableArray<DrConfirmation> Confirmations { get; init; } = [];
    /// <summary>Relative cost of serving from the target after the failover (1 = cheapest); a tie-breaker, not a price.</summary>
    public double CostHint { get; init; }
    /// <summary>Drill reports written before drills recorded their source count for this option (the blueprint's default repository).</summary>
    public bool ClaimsUnsourcedDrills { get; init; }
}
