namespace HybridOps.Postgres.Hosts;

/// <summary>
/// Turns what ssh and sudo print when they fail into typed exceptions. ssh exits 255 for its own
/// failures (a remote command's own 255 is read the same way, as ansible does); sudo -n exits 1
/// with a fixed message when it would need a password.
/// </summary>
internal static class SshFailures
{
    private static readonly string[] HostKey = ["Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED"];
    private static readonly string[] Login = ["Permission denied (", "Too many authentication failures"];
    private static readonly string[] Sudo = ["sudo: a password is required", "is not in the sudoers file", "sudo: a terminal is required", "is not allowed to execute", "may not run sudo"];

    public const int SshFailed = 255;

    public static Exception? Classify(SiteHost host, int exitCode, string stderr, BecomePlan become)
    {
        if (exitCode == SshFailed)
        {
            if (Contains(stderr, HostKey))
            {
                return new HostKeyRejectedException(host, LastLine(stderr));
            }

            return new HostUnreachableException(host, LastLine(stderr) is { Length: > 0 } line ? line : "ssh exited with 255 and said nothing", Contains(stderr, Login));
        }

        return exitCode == 1 && become.Becomes && Contains(stderr, Sudo) ? new HostBecomeRefusedException(host, become.TargetUser, LastLine(stderr)) : null;
    }

    private static bool Contains(string text, string[] needles) => needles.Any(n => text.Contains(n, StringComparison.Ordinal));

    private static string LastLine(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => !l.StartsWith('@'), "");
}
