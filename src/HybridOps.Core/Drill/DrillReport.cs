using System.Collections.Immutable;

namespace HybridOps.Core.Drill;

/// <summary>
/// Everything a drill measured: written as report.json (snake_case) under
/// &lt;root&gt;/drills/&lt;blueprint id&gt;/&lt;run id&gt;/, with report.md and report.html rendered from it.
/// </summary>
public sealed record DrillReport
{
    public string Kind { get; init; } = "hyops-drill-report/v1";
    public required string RunId { get; init; }
    public required string BlueprintRef { get; init; }
    public required string BlueprintId { get; init; }
    public string? BlueprintRunId { get; init; }
    /// <summary>ok | failed (the blueprint failed, or the RTO was not reached).</summary>
    public required string Status { get; init; }
    public required string BlueprintStatus { get; init; }
    public required int ExitCode { get; init; }
    public required string ExitName { get; init; }
    /// <summary>none | onprem-site.</summary>
    public required string Disaster { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
    public required DateTimeOffset FailoverStart { get; init; }
    /// <summary>disaster_injection | blueprint_start.</summary>
    public required string FailoverStartSource { get; init; }
    public required string ServiceRecord { get; init; }
    public ImmutableArray<DrillPhase> Phases { get; init; } = [];
    public required RtoMeasurement Rto { get; init; }
    /// <summary>When the blueprint finished every step (replicas, the new lineage's backup) with status ok; null otherwise.</summary>
    public DateTimeOffset? ProtectedAt { get; init; }
    /// <summary>Seconds from failover start to <see cref="ProtectedAt"/>: the time to a protected cluster, after the RTO.</summary>
    public double? TimeToProtectedSeconds => ProtectedAt is { } at ? Math.Round((at - FailoverStart).TotalSeconds, 3) : null;
    /// <summary>Null when the rows could not be read back (then the drill is failed: RPO is never guessed).</summary>
    public RpoMeasurement? Rpo { get; init; }
    public required DrillWrites Writes { get; init; }
    public ImmutableArray<string> Notes { get; init; } = [];
    public string? ReportDir { get; init; }
    /// <summary>What the drill restored from (repository, backup set, sizes) as state said before it ran; null for reports written before it was recorded.</summary>
    public DrillSource? Source { get; init; }
    /// <summary>Acknowledged and failed writes per second over the drill (the HTML report's plot); null for reports written before it.</summary>
    public DrillWriteSeries? Series { get; init; }
    /// <summary>The plot's vertical lines when the drill names its own moments (an isolated drill: restore point, drill writable, teardown); empty = disaster, publication and first ack.</summary>
    public ImmutableArray<DrillPlotMarker> PlotMarkers { get; init; } = [];
    /// <summary>failover (a real failover under a write load) | isolated (production keeps running: no fence, no DNS, no load) | no-cutover (premium: the standby proven promotable, a clone promoted).</summary>
    public string DrillKind { get; init; } = "failover";
    /// <summary>An isolated drill's figures; null for a failover drill.</summary>
    public IsolatedDrillFigures? Isolated { get; init; }
    /// <summary>A no-cutover drill's figures; null for the other kinds.</summary>
    public NoCutoverDrillFigures? NoCutover { get; init; }
}

/// <summary>A moment the plot marks with a vertical line of <paramref name="Colour"/>.</summary>
public sealed record DrillPlotMarker(string Label, DateTimeOffset At, string Colour);

/// <summary>One bar of the timeline: a drill phase (warm-up, disaster, recovery wait, verify) or a blueprint step.</summary>
public sealed record DrillPhase(string Name, string Kind, string Status, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string? Detail = null)
{
    public double DurationS => Math.Round((EndedAt - StartedAt).TotalSeconds, 3);
}

/// <summary>The write load during the drill.</summary>
public sealed record DrillWrites(
    string LoadId,
    double Rate,
    long Acked,
    long Failed,
    DateTimeOffset? FirstAck,
    DateTimeOffset? LastAck,
    IReadOnlyDictionary<string, long> AckedByAddress,
    IReadOnlyDictionary<string, long> FailedByError,
    string AckLog,
    string FailureLog);
