namespace HybridOps.Postgres.Exec;

/// <summary>
/// Who we are running as. Needed because PostgreSQL refuses to run as root: when we are root,
/// servers are started as a service user (normally <c>postgres</c>) instead.
/// </summary>
public static class ProcessIdentity
{
    private static readonly Lazy<bool> Root = new(() =>
        OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()
            ? NativeMethods.GetEffectiveUserId() == 0
            : false);

    /// <summary>True when the effective uid is 0 (a process started by sudo included).</summary>
    public static bool IsRoot => Root.Value;

    /// <summary>Login name of the current user as .NET reports it.</summary>
    public static string UserName => Environment.UserName;

    /// <summary>
    /// The OS user that database servers should run as: <paramref name="serviceUser"/> when we are
    /// root, otherwise null (run as ourselves, which is what an unprivileged CI user wants).
    /// </summary>
    public static string? ServiceUserOrNull(string serviceUser = "postgres") => IsRoot ? serviceUser : null;
}
