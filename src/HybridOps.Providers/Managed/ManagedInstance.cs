using System.Collections.Immutable;

namespace HybridOps.Providers.Managed;

/// <summary>Cloud SQL's instance states (the subset a provider reports).</summary>
public enum InstanceState
{
    Runnable,
    Stopped,
    PendingCreate,
    Failed,
}

/// <summary>Primary or replica (a standby fed by external replication).</summary>
public enum InstanceRole
{
    Replica,
    Primary,
}

/// <summary>Recorded settings of an instance (tier and region are recorded, not enforced, by the local provider).</summary>
public sealed record InstanceSettings(string Tier, string Region, ImmutableArray<string> AuthorizedNetworks);

/// <summary>What the provider says about one instance. No password, ever.</summary>
public sealed record ManagedInstance
{
    public required string Name { get; init; }
    public required InstanceState State { get; init; }
    public required string IpAddress { get; init; }
    public required int Port { get; init; }
    public required string DatabaseVersion { get; init; }
    public required InstanceRole Role { get; init; }
    public required InstanceSettings Settings { get; init; }
    public required string AdminUser { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PromotedAt { get; init; }

    /// <summary>Database flags set through the provider (empty when none).</summary>
    public ImmutableDictionary<string, string> DatabaseFlags { get; init; } = ImmutableDictionary<string, string>.Empty;

    public static string StateName(InstanceState state) => state switch
    {
        InstanceState.Runnable => "RUNNABLE",
        InstanceState.Stopped => "STOPPED",
        InstanceState.PendingCreate => "PENDING_CREATE",
        _ => "FAILED",
    };
}
