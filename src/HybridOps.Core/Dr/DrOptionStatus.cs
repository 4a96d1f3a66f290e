using System.Collections.Immutable;

namespace HybridOps.Core.Dr;

/// <summary>One option as `hyops dr status` shows it and the decision service weighs it.</summary>
/// <param name="Reasons">Why the option is not eligible (empty when it is): never_drilled, last_drill_failed, drill_stale, or a precondition's name.</param>
/// <param name="NotProven">Never drilled, or its last drill failed (HYO7301): refused whatever else holds.</param>
public sealed record DrOptionStatus(
    DrOption Option,
    DrObjective Objective,
    DrForecast Forecast,
    DrLastDrill? LastDrill,
    DrOptionFacts Facts,
    bool Eligible,
    bool NotProven,
    ImmutableArray<string> Reasons);
