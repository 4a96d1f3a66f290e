namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// Every effect a rebuild (restore or reseed) has on its member hosts: reading what is there,
/// writing files with owner and mode, emptying a data dir, running a command as the service user,
/// starting and stopping the member's Patroni. Two kinds: the hosts of an SSH site (the host executor
/// and each host's service manager) and the local provider's hosts, which are processes of this
/// machine tracked by pid in the site's process registry.
/// </summary>
internal interface IRestoreMembers : IAsyncDisposable
{
    /// <summary>The owner marker in the member dir and whether its data dir holds anything.</summary>
    Task<MemberDirFacts> InspectAsync(RestoreHost host, CancellationToken ct);

    /// <summary>Creates the directory (and missing parents) owned by the service user with exactly <paramref name="mode"/>.</summary>
    Task EnsureDirectoryAsync(RestoreHost host, string path, UnixFileMode mode, CancellationToken ct);

    /// <summary>Writes a file owned by the service user atomically, with its mode set before any content.</summary>
    Task WriteFileAsync(RestoreHost host, string path, string content, UnixFileMode mode, CancellationToken ct);

    /// <summary>Empties <paramref name="dir"/> and keeps the directory.</summary>
    Task DeleteContentsAsync(RestoreHost host, string dir, CancellationToken ct);

    /// <summary>Runs a command as the service user on the host; secret variables never reach an argv.</summary>
    Task<MemberCommandResult> RunAsync(RestoreHost host, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? secretEnvironment, TimeSpan timeout, CancellationToken ct);

    /// <summary>The host's CPU count (pgBackRest's process-max).</summary>
    Task<int> CoresAsync(RestoreHost host, CancellationToken ct);

    /// <summary>Starts the member's Patroni with <paramref name="environment"/> (passwords) kept out of every argv.</summary>
    Task StartPatroniAsync(RestoreHost host, string patroniBin, IReadOnlyDictionary<string, string> environment, CancellationToken ct);

    /// <summary>Stops the members' Patroni and any PostgreSQL that outlived it; data stays. Returns what was stopped.</summary>
    Task<IReadOnlyList<string>> StopAsync(IReadOnlyList<RestoreHost> targets, CancellationToken ct);

    /// <summary>A member whose Patroni this run started and which is no longer running; null when all run.</summary>
    Task<string?> DeadPatroniAsync(IReadOnlyList<RestoreHost> started, CancellationToken ct);

    /// <summary>The end of the member's Patroni log.</summary>
    Task<string> PatroniLogTailAsync(RestoreHost host, CancellationToken ct);

    /// <summary>A running PostgreSQL left in the member's data dir (after a stop it must be none); its description or null.</summary>
    Task<string?> RunningPostgresAsync(RestoreHost host, CancellationToken ct);

    /// <summary>
    /// Removes a stopped member for good: its service definition and its member dir (data, config,
    /// passwords, logs). Returns what is still there afterwards (empty when the member is gone).
    /// </summary>
    Task<IReadOnlyList<string>> RemoveMemberAsync(RestoreHost host, CancellationToken ct);

    /// <summary>Records the running servers for a later stop (the local provider's registry); nothing on an SSH site, whose service manager knows them.</summary>
    void RecordRunning(IReadOnlyList<RestoreHost> hosts);
}

/// <summary>What a member dir holds before a rebuild touches it.</summary>
internal sealed record MemberDirFacts(OwnerMarker? Marker, bool DataDirHasEntries);

/// <summary>A command's outcome on a member host, as evidence records it (argv without secret values).</summary>
internal sealed record MemberCommandResult(int ExitCode, string StdOut, string StdErr, TimeSpan Duration, IReadOnlyList<string> Argv)
{
    public bool Succeeded => ExitCode == 0;
}
