namespace HybridOps.Postgres.Exec;

/// <summary>
/// Port for starting OS processes, so modules can be tested with a fake and so the one place
/// that owns process creation also owns user switching, timeouts and kill-on-cancel.
/// </summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs to completion and captures stdout/stderr. On cancellation or <see cref="ProcessSpec.Timeout"/>
    /// the whole process tree is killed; then <see cref="OperationCanceledException"/> or
    /// <see cref="TimeoutException"/> is thrown. A non-zero exit code is returned, not thrown.
    /// </summary>
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct);

    /// <summary>
    /// As <see cref="RunAsync"/>, and every line of stdout and stderr is also handed to
    /// <paramref name="onLine"/> as it arrives (never two calls at once).
    /// </summary>
    Task<ProcessResult> RunStreamingAsync(ProcessSpec spec, Action<string> onLine, CancellationToken ct);

    /// <summary>
    /// Starts a long-running daemon fully detached from this process (own session, stdin from
    /// /dev/null, stdout+stderr appended to <paramref name="logFile"/>) and returns the daemon's
    /// own pid, so it can later be stopped by pid with <see cref="ProcessControl"/>.
    /// </summary>
    Task<int> StartDetachedAsync(ProcessSpec spec, string logFile, CancellationToken ct);
}
