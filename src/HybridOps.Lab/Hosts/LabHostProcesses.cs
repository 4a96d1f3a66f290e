using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// A host's processes seen from the root namespace: its launcher (unshare, which waits for the host's
/// pid 1), its pid 1 (tini) and everything in its pid namespace. Start, clean stop and power cut.
/// </summary>
internal sealed class LabHostProcesses(IProcessRunner runner, TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>The launcher's argv: the host's own namespaces, then the init script as pid 1.</summary>
    public static IReadOnlyList<string> LaunchArgv(LabHostRecord host) =>
    [
        "netns", "exec", host.Netns,
        "unshare", "--mount", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private",
        "--", "/bin/sh", host.InitScript,
    ];

    /// <summary>Alive and still ours: the launcher's argv names the init script, and the init is its child.</summary>
    public static bool IsRunning(LabHostRecord host) =>
        host is { LauncherPid: { } launcher, InitPid: { } init }
        && ProcessControl.CommandLineContains(launcher, host.InitScript)
        && ProcessControl.IsAlive(init)
        && ParentOf(init) == launcher;

    /// <summary>Root-namespace pids of every process in the host's pid namespace (pid 1 included).</summary>
    public static IReadOnlyList<int> HostPids(int initPid)
    {
        var ns = PidNamespace(initPid);
        if (ns is null)
        {
            return [];
        }

        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && PidNamespace(pid) == ns)
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    public async Task<LabHostRecord> StartAsync(LabHostPaths paths, LabHostRecord host, CancellationToken ct)
    {
        var spec = new ProcessSpec("ip", LaunchArgv(host), WorkingDirectory: "/");
        var launcher = await runner.StartDetachedAsync(spec, paths.ConsoleLog(host.Name), ct);
        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
        {
            if (ProcessControl.ListChildren(launcher) is [var init, ..])
            {
                return host with { LauncherPid = launcher, InitPid = init };
            }

            if (!ProcessControl.IsAlive(launcher))
            {
                break;
            }

            await Task.Delay(Poll, time, ct);
        }

        return host with { LauncherPid = launcher, InitPid = null };
    }

    /// <summary>
    /// Like a machine's shutdown: SIGTERM to every process but pid 1 and sshd, wait, then SIGTERM pid 1
    /// (tini passes it to sshd; when sshd exits the namespace ends). SIGKILL only when the grace runs out.
    /// </summary>
    public async Task StopAsync(LabHostRecord host, TimeSpan grace, CancellationToken ct)
    {
        if (!IsRunning(host))
        {
            return;
        }

        var init = host.InitPid!.Value;
        var services = HostPids(init).Where(p => p != init && Comm(p) != "sshd").ToList();
        foreach (var pid in services)
        {
            ProcessControl.Signal(pid, UnixSignal.Terminate);
        }

        var start = time.GetTimestamp();
        while (services.Any(ProcessControl.IsAlive) && time.GetElapsedTime(start) < grace)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
        }

        await ProcessControl.TerminateAsync(init, UnixSignal.Terminate, grace, time, ct);
        await ProcessControl.WaitForExitAsync(host.LauncherPid!.Value, TimeSpan.FromSeconds(5), time, ct);
    }

    /// <summary>SIGKILL of pid 1: the kernel kills every process of the host at once, nothing is flushed.</summary>
    public async Task PowerCutAsync(LabHostRecord host, CancellationToken ct)
    {
        if (!IsRunning(host))
        {
            return;
        }

        ProcessControl.Signal(host.InitPid!.Value, UnixSignal.Kill);
        await ProcessControl.WaitForExitAsync(host.InitPid!.Value, TimeSpan.FromSeconds(5), time, ct);
        await ProcessControl.WaitForExitAsync(host.LauncherPid!.Value, TimeSpan.FromSeconds(5), time, ct);
    }

    private static string? PidNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
