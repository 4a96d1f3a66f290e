namespace HybridOps.Postgres.Hosts;

/// <summary>
/// A command that ran to completion on <see cref="Host"/>. <see cref="RedactedArgv"/> is the argv
/// as recorded for evidence: the local argv actually executed (ssh and its options included),
/// which by construction holds no secret value; secret variables appear only by name.
/// </summary>
public sealed record HostResult(
    SiteHost Host,
    int ExitCode,
    string StdOut,
    string StdErr,
    TimeSpan Duration,
    IReadOnlyList<string> RedactedArgv)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws <see cref="HostCommandFailedException"/> when the command failed; returns this otherwise.</summary>
    public HostResult EnsureSuccess() => ExitCode == 0 ? this : throw new HostCommandFailedException(this);
}
