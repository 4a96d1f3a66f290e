using System.Runtime.InteropServices;

namespace HybridOps.Postgres.Exec;

/// <summary>
/// libc calls we need and .NET does not expose: kill(2) with an arbitrary signal for a pid we did
/// not start in this process, and geteuid(2). DllImport (not LibraryImport) because these signatures
/// are blittable and LibraryImport would require AllowUnsafeBlocks in the project.
/// </summary>
internal static partial class NativeMethods
{
    public const int ESRCH = 3;
    public const int EPERM = 1;

#pragma warning disable SYSLIB1054 // blittable signature; see type comment.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern uint GetEffectiveUserId();
#pragma warning restore SYSLIB1054
}
