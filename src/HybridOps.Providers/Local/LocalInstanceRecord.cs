using System.Collections.Immutable;

namespace HybridOps.Providers.Local;

/// <summary>instance.json: what the local provider remembers about an instance (never a password).</summary>
internal sealed record LocalInstanceRecord
{
    public required string Name { get; init; }
    public required int Index { get; init; }
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string DatabaseVersion { get; init; }
    public required string Tier { get; init; }
    public required string Region { get; init; }
    public required ImmutableArray<string> AuthorizedNetworks { get; init; }
    public required string AdminUser { get; init; }
    public required string Role { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? PromotedAt { get; init; }
    public ImmutableDictionary<string, string>? DatabaseFlags { get; init; }
}
