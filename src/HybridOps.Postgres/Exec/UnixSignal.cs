namespace HybridOps.Postgres.Exec;

/// <summary>
/// Raw Linux signal numbers. <see cref="System.Runtime.InteropServices.PosixSignal"/> only covers a
/// few signals and uses abstract values, so it cannot be passed to kill(2).
/// </summary>
public enum UnixSignal
{
    /// <summary>Probe only: delivers nothing, checks existence/permission.</summary>
    None = 0,

    /// <summary>PostgreSQL postmaster: fast shutdown.</summary>
    Interrupt = 2,

    /// <summary>PostgreSQL postmaster: immediate shutdown (crash-like, no checkpoint).</summary>
    Quit = 3,

    Kill = 9,

    /// <summary>Graceful stop for Patroni and etcd; smart shutdown for a postmaster.</summary>
    Terminate = 15,
}
