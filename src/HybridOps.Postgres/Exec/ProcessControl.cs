using System.Runtime.InteropServices;

namespace HybridOps.Postgres.Exec;

/// <summary>
/// Pid-based process control for daemons we started detached. Deliberately no "by name" variant:
/// stopping by name (pkill -f) could hit another lab or a production server on the same host.
/// </summary>
public static class ProcessControl
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// True when the pid exists and is not a zombie. Zombies count as dead: the daemons are orphans
    /// re-parented to init, and a non-reaping init (some containers) leaves them as zombies for a while.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (NativeMethods.Kill(pid, 0) != 0 && Marshal.GetLastPInvokeError() != NativeMethods.EPERM)
        {
            return false;
        }

        return ReadState(pid) is not ('Z' or 'X' or null) || !OperatingSystem.IsLinux();
    }

    /// <summary>Sends a signal; returns false when the process does not exist.</summary>
    public static bool Signal(int pid, UnixSignal signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pid, 1);
        return NativeMethods.Kill(pid, (int)signal) == 0;
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL.</summary>
    public static Task<TerminationOutcome> TerminateAsync(int pid, TimeSpan grace, CancellationToken ct) =>
        TerminateAsync(pid, UnixSignal.Terminate, grace, TimeProvider.System, ct);

    /// <summary>
    /// Sends <paramref name="signal"/>, waits up to <paramref name="grace"/> for the process to go,
    /// then SIGKILLs it and waits a little more. Only use on pids whose identity was checked
    /// (see <see cref="CommandLineContains"/>) to avoid hitting a recycled pid.
    /// </summary>
    public static async Task<TerminationOutcome> TerminateAsync(
        int pid, UnixSignal signal, TimeSpan grace, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (!IsAlive(pid))
        {
            return TerminationOutcome.NotRunning;
        }

        Signal(pid, signal);
        if (await WaitForExitAsync(pid, grace, time, ct))
        {
            return TerminationOutcome.Exited;
        }

        Signal(pid, UnixSignal.Kill);
        return await WaitForExitAsync(pid, TimeSpan.FromSeconds(5), time, ct)
            ? TerminationOutcome.Killed
            : TerminationOutcome.StillRunning;
    }

    /// <summary>Polls until the pid is gone or the timeout passes; true when gone.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        var start = time.GetTimestamp();
        while (IsAlive(pid))
        {
            if (time.GetElapsedTime(start) >= timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval, time, ct);
        }

        return true;
    }

    /// <summary>argv of a live process from /proc (empty when gone, a zombie, or not on Linux).</summary>
    public static IReadOnlyList<string> ReadCommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Identity check against pid reuse: true when the live process's argv contains
    /// <paramref name="marker"/> (e.g. the daemon's config file or data directory). A live process
    /// in the middle of an exec (setsid -> setpriv -> the daemon) reads as an EMPTY cmdline for a
    /// moment; that is read again (up to 100 ms), never taken for "another program" or "exited".
    /// </summary>
    public static bool CommandLineContains(int pid, string marker)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (!IsAlive(pid))
            {
                return false;
            }

            var argv = ReadCommandLine(pid);
            if (argv.Count > 0)
            {
                return argv.Any(a => a.Contains(marker, StringComparison.Ordinal));
            }

            Thread.Sleep(5);
        }

        return false;
    }

    /// <summary>The programs a Patroni runs on a data directory (and pg_ctl's shell), the only ones <see cref="FindByArgument"/> returns.</summary>
    public static readonly IReadOnlySet<string> DataDirPrograms = new HashSet<string>(StringComparer.Ordinal)
    {
        "initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_rewind", "pgbackrest", "sh",
    };

    /// <summary>
    /// Live pids of <see cref="DataDirPrograms"/> one of whose argv elements is <paramref name="path"/>, starts
    /// with it followed by '/', or contains it as a quoted word (pg_ctl's shell: <c>"initdb" -D "/path"</c>);
    /// never this process, never another program (an operator's editor or tail on a file there).
    /// </summary>
    public static IReadOnlyList<int> FindByArgument(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != Environment.ProcessId && ReadState(pid) is not (null or 'Z')
                && ReadCommandLine(pid) is { Count: > 0 } argv && DataDirPrograms.Contains(Path.GetFileName(argv[0])) && argv.Any(a => Names(a, path)))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    private static bool Names(string arg, string path) =>
        arg == path || arg.StartsWith(path + "/", StringComparison.Ordinal) || arg.EndsWith("=" + path, StringComparison.Ordinal)
        || arg.Contains("\"" + path + "\"", StringComparison.Ordinal) || arg.Contains(" " + path + " ", StringComparison.Ordinal) || arg.EndsWith(" " + path, StringComparison.Ordinal);

    /// <summary>Pids whose parent is <paramref name="parentPid"/> (from /proc/*/stat).</summary>
    public static IReadOnlyList<int> ListChildren(int parentPid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ReadStatFields(pid) is { } f && f.Ppid == parentPid)
            {
                children.Add(pid);
            }
        }

        return children;
    }

    private static char? ReadState(int pid) => ReadStatFields(pid)?.State;

    private static (char State, int Ppid)? ReadStatFields(int pid)
    {
        try
        {
            // Format: "pid (comm) S ppid ...". comm may contain spaces and ')' so split after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (rest[0][0], int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
