namespace HybridOps.Lab;

/// <summary>
/// Contents of LabDir/lab.json: enough for down/status to work from the directory alone.
/// Contains no secrets (passwords are never persisted by the lab).
/// </summary>
public sealed record LabState
{
    public int Version { get; init; } = 1;

    public string Site { get; init; } = "onprem";

    public required string ClusterName { get; init; }

    public required string LabDir { get; init; }

    /// <summary>"starting", "running" or "stopped".</summary>
    public required string Status { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>Site failure simulation: null (never failed), "failed" (`lab fail-site`) or "repaired" (`lab repair-site`).</summary>
    public string? SiteStatus { get; init; }

    public DateTimeOffset? SiteFailedAt { get; init; }

    public DateTimeOffset? SiteRepairedAt { get; init; }

    /// <summary>OS user the servers run as; null means "as whoever ran hyops".</summary>
    public string? ServiceUser { get; init; }

    public required LabTopology Topology { get; init; }

    public IReadOnlyList<LabProcessRecord> Processes { get; init; } = [];

    public LabProcessRecord? Process(string name) => Processes.FirstOrDefault(p => p.Name == name);

    /// <summary>Copy with <paramref name="record"/> replacing the process of the same name.</summary>
    public LabState WithProcess(LabProcessRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return this with { Processes = [.. Processes.Where(p => p.Name != record.Name), record] };
    }
}
