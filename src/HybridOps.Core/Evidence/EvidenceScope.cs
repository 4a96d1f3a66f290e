namespace HybridOps.Core.Evidence;

/// <summary>
/// The part of an index a bundle carries: these runs and drill reports (drill run id -> directory) are
/// checked; the index's other entries are the history around them and are not expected on disk.
/// </summary>
public sealed record EvidenceScope(IReadOnlySet<RunKey> Runs, IReadOnlyDictionary<string, string> Drills);
