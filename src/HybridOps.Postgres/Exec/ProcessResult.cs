namespace HybridOps.Postgres.Exec;

/// <summary>
/// Outcome of a completed process. <see cref="Argv"/> is the argv actually executed (including any
/// user-switch prefix such as <c>setpriv</c>), kept as evidence for run records.
/// </summary>
public sealed record ProcessResult(
    int ExitCode,
    string StdOut,
    string StdErr,
    TimeSpan Duration,
    IReadOnlyList<string> Argv)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws with stderr attached when the process failed; returns this otherwise.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{string.Join(' ', Argv)}' exited with {ExitCode}: {StdErr.Trim()}");
        }

        return this;
    }
}
