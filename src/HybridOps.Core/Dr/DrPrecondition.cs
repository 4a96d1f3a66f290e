namespace HybridOps.Core.Dr;

/// <summary>Something that must be true now for an option to run (a reachable site, a backup set, a streaming standby).</summary>
public sealed record DrPrecondition(string Name, bool Met, string Detail);
