using System.Collections.Immutable;

namespace HybridOps.Lab.Hosts;

/// <summary>&lt;lab dir&gt;/hosts/hosts.json: the block, its bridge and every host this lab created.</summary>
internal sealed record LabHostsRecord
{
    public required int Block { get; init; }

    public required string Bridge { get; init; }

    public ImmutableArray<LabHostRecord> Hosts { get; init; } = [];

    public LabHostRecord? Find(string name) => Hosts.FirstOrDefault(h => h.Name == name);

    /// <summary>This record with <paramref name="host"/> added, or replacing the host of the same name.</summary>
    public LabHostsRecord With(LabHostRecord host)
    {
        var existing = Find(host.Name);
        return this with { Hosts = existing is null ? Hosts.Add(host) : Hosts.Replace(existing, host) };
    }
}
