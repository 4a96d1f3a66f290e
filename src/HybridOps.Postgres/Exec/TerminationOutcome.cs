namespace HybridOps.Postgres.Exec;

/// <summary>How <see cref="ProcessControl.TerminateAsync(int, TimeSpan, CancellationToken)"/> ended.</summary>
public enum TerminationOutcome
{
    /// <summary>The pid was not alive when we looked.</summary>
    NotRunning,

    /// <summary>Exited within the grace period after the first signal.</summary>
    Exited,

    /// <summary>Needed SIGKILL.</summary>
    Killed,

    /// <summary>Still alive even after SIGKILL (uninterruptible sleep); callers must report it.</summary>
    StillRunning,
}
