namespace HybridOps.Providers.Managed;

/// <summary>The first backup of an instance whose backups were just enabled, as the backup tool's own listing shows it.</summary>
public sealed record ManagedBackup
{
    public required string Method { get; init; }
    public required string Label { get; init; }
    public required string Type { get; init; }
    public required int BackupCount { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Stopped { get; init; }
    public string? WalStart { get; init; }
    public string? WalStop { get; init; }
    public string? ConfigPath { get; init; }
    public string? ArchiveCommand { get; init; }
    public required ProviderOperation Operation { get; init; }
}
