namespace HybridOps.Core.Dr;

/// <summary>The RTO/RPO inputs an option is measured against.</summary>
public sealed record DrObjective(double RtoSeconds, double RpoSeconds, double MaxDrillAgeDays);
