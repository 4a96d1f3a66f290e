using System.Collections.Immutable;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// One host in hosts.json. Names are recorded before the thing is created, pids right after the start,
/// so a crashed run can always be cleaned by this record.
/// </summary>
internal sealed record LabHostRecord
{
    public required string Name { get; init; }

    public required string Address { get; init; }

    public required string Netns { get; init; }

    /// <summary>Root-side end of the veth pair (the host's end is eth0 inside <see cref="Netns"/>).</summary>
    public required string Veth { get; init; }

    /// <summary>The init script; also the identity check for <see cref="LauncherPid"/> (it is in its argv).</summary>
    public required string InitScript { get; init; }

    /// <summary>The root-namespace pid of unshare, which waits for the host's pid 1.</summary>
    public int? LauncherPid { get; init; }

    /// <summary>The root-namespace pid of the host's pid 1 (tini).</summary>
    public int? InitPid { get; init; }

    /// <summary>Addresses blackholed inside this host by a partition (removed by heal).</summary>
    public ImmutableArray<string> Blackholes { get; init; } = [];
}
