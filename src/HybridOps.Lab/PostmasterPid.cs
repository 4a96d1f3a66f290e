using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// Finds a member's postmaster. Patroni double-forks PostgreSQL (the postmaster's parent is init),
/// so its pid is not a child of the Patroni pid; PostgreSQL's own lock file is the authority.
/// </summary>
internal static class PostmasterPid
{
    /// <summary>First line of postmaster.pid, or null when absent/unreadable.</summary>
    public static int? Read(string pidFile)
    {
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The live postmaster for <paramref name="dataDir"/>, verified by its argv (postgres -D dataDir)
    /// so a stale pid file pointing at a recycled pid is ignored.
    /// </summary>
    public static int? ReadLive(string pidFile, string dataDir) =>
        Read(pidFile) is { } pid && ProcessControl.CommandLineContains(pid, dataDir) ? pid : null;
}
