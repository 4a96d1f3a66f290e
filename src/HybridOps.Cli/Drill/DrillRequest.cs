using System.Text.Json.Nodes;

namespace HybridOps.Cli.Drill;

/// <summary>What `hyops blueprint drill` was asked to do.</summary>
public sealed record DrillRequest(string BlueprintRef, JsonObject? Overrides)
{
    public const string DisasterNone = "none";
    public const string DisasterOnpremSite = "onprem-site";

    public double Rate { get; init; } = 20;

    /// <summary>none | onprem-site.</summary>
    public string Disaster { get; init; } = DisasterNone;

    /// <summary>Seconds of steady load before the failover starts.</summary>
    public double SettleSeconds { get; init; } = 2;

    public string? ReportDir { get; init; }

    /// <summary>How long to wait for the first acknowledged write after publication before declaring the RTO not met.</summary>
    public double RecoveryTimeoutSeconds { get; init; } = 60;

    /// <summary>How long the load may take to acknowledge writes steadily before the drill gives up (HYO7010).</summary>
    public TimeSpan SteadyTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
