using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Resume;

/// <summary>
/// The hyops CLI as a real OS process (dotnet hyops.dll), so a test can SIGKILL it mid-run the way an
/// operator's terminal dies: no finally block, no state write after the kill.
/// </summary>
internal sealed class HyopsChild(Site site, int pid, string log)
{
    public int Pid { get; } = pid;

    public string Log { get; } = log;

    public static async Task<HyopsChild> StartAsync(Site site, string name, params string[] args)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileName(p) == "dotnet" ? p : "dotnet";
        var log = Path.Combine(site.Dir, $"{name}.log");
        var spec = new ProcessSpec(dotnet, [Path.Combine(AppContext.BaseDirectory, "hyops.dll"), "--root", site.Root, .. args], site.Dir, site.Environment);
        var pid = await new LocalProcessRunner().StartDetachedAsync(spec, log, CancellationToken.None);
        return new HyopsChild(site, pid, log);
    }

    /// <summary>Polls <paramref name="condition"/> while the child runs; fails with the child's log when it exits first or time runs out.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan limit)
    {
        var until = DateTimeOffset.UtcNow + limit;
        while (!condition())
        {
            if (!ProcessControl.IsAlive(Pid) || DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"hyops pid {Pid} {(ProcessControl.IsAlive(Pid) ? "still running" : "exited")} before {what} (lab block {site.Block}); log:\n{Tail()}");
            }

            await Task.Delay(100);
        }
    }

    public async Task KillAsync()
    {
        (await ProcessControl.TerminateAsync(Pid, UnixSignal.Kill, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None))
            .ShouldNotBe(TerminationOutcome.StillRunning);

        // A multi-threaded process's leader shows as a zombie while its other threads are still exiting, and
        // its files (the runtime root's lock among them) close only when the last thread is gone: wait for
        // that, as an operator's rerun would come after the process is really gone.
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (Directory.Exists($"/proc/{Pid}/task") && SafeCount($"/proc/{Pid}/task") > 1 && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(50);
        }
    }

    private static int SafeCount(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir).Length;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public string Tail()
    {
        var text = File.Exists(Log) ? File.ReadAllText(Log) : "";
        return text.Length > 3000 ? text[^3000..] : text;
    }
}
