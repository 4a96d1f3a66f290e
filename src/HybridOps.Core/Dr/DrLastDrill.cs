namespace HybridOps.Core.Dr;

/// <summary>The latest drill that proved (or failed to prove) an option.</summary>
public sealed record DrLastDrill(
    string RunId,
    DateTimeOffset StartedAt,
    string Status,
    double AgeSeconds,
    double? RtoSeconds,
    long? RpoMissing,
    string ReportDir);
