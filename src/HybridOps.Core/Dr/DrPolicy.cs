using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Dr;

/// <summary>
/// The objective and the rules an option must meet: a successful drill no older than <see cref="MaxDrillAge"/>,
/// and the weights of the decision score (lower is better).
/// </summary>
public sealed record DrPolicy
{
    public double RtoObjectiveSeconds { get; init; } = 900;
    public double RpoObjectiveSeconds { get; init; } = 300;
    public TimeSpan MaxDrillAge { get; init; } = TimeSpan.FromDays(30);
    /// <summary>How many of the latest successful drills the restore rate is averaged over.</summary>
    public int RateDrills { get; init; } = 3;
    public double RtoWeight { get; init; } = 1;
    public double RpoWeight { get; init; } = 1;
    public double CostWeight { get; init; } = 0.01;

    public DrPolicy Validated()
    {
        if (MaxDrillAge <= TimeSpan.Zero || RtoObjectiveSeconds <= 0 || RpoObjectiveSeconds < 0 || RateDrills < 1
            || RtoWeight < 0 || RpoWeight < 0 || CostWeight < 0
            || double.IsNaN(RtoObjectiveSeconds) || double.IsNaN(RpoObjectiveSeconds))
        {
            throw HyopsException.From(DiagnosticCatalog.DrInputInvalid,
                $"max drill age {MaxDrillAge.TotalDays} days, RTO objective {RtoObjectiveSeconds} s, RPO objective {RpoObjectiveSeconds} s, weights {RtoWeight}/{RpoWeight}/{CostWeight}: the age and the RTO objective must be > 0, the rest >= 0");
        }

        return this;
    }
}
