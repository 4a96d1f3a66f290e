using System.Diagnostics;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Hosts;

/// <summary>The process port hyops runs its own tools through (and the lab its hosts): real pids, user switching, kill on timeout.</summary>
public sealed class ProcessRunnerTests
{
    private readonly LocalProcessRunner _runner = new();

    [Fact]
    public async Task Detached_start_returns_the_daemon_pid_and_it_can_be_stopped_by_pid()
    {
        var log = Path.Combine(Path.GetTempPath(), $"hyops-runner-{Guid.NewGuid():N}.log");
        var user = ProcessIdentity.ServiceUserOrNull();
        var pid = await _runner.StartDetachedAsync(
            new ProcessSpec("sleep", ["300"], WorkingDirectory: "/", RunAsUser: user), log, CancellationToken.None);
        try
        {
            ProcessControl.IsAlive(pid).ShouldBeTrue();
            // setsid and setpriv exec in turn; the pid shows the daemon's argv once the chain is done.
            for (var i = 0; i < 100 && ProcessControl.ReadCommandLine(pid).FirstOrDefault() != "sleep"; i++)
            {
                await Task.Delay(50);
            }

            ProcessControl.ReadCommandLine(pid).ShouldBe(["sleep", "300"]);
            var ps = (await _runner.RunAsync(ProcessSpec.Of("ps", "-o", "user=,sid=", "-p", pid.ToString()), CancellationToken.None)).EnsureSuccess();
            var fields = ps.StdOut.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            fields[0].ShouldBe(user ?? ProcessIdentity.UserName);
            fields[1].ShouldBe(pid.ToString(), "the daemon should lead its own session");
        }
        finally
        {
            (await ProcessControl.TerminateAsync(pid, TimeSpan.FromSeconds(5), CancellationToken.None)).ShouldBe(TerminationOutcome.Exited);
            File.Delete(log);
        }

        ProcessControl.IsAlive(pid).ShouldBeFalse();
    }

    [Fact]
    public async Task A_daemon_in_the_middle_of_its_exec_chain_is_never_taken_for_dead()
    {
        // setsid and setpriv exec in turn: during each exec /proc/PID/cmdline reads empty for a moment. Polled
        // hard through the first 300 ms of 10 daemons, the identity check must say "alive, ours" every time
        // (it said "exited" about once per start before, the intermittent HYO6063 of a reseed).
        var log = Path.Combine(Path.GetTempPath(), $"hyops-exec-{Guid.NewGuid():N}.log");
        var marker = $"/tmp/hyops-exec-marker-{Guid.NewGuid():N}";
        var misses = 0;
        var reads = 0;
        for (var run = 0; run < 10; run++)
        {
            var pid = await _runner.StartDetachedAsync(new ProcessSpec("/usr/bin/python3", ["-c", "import time; time.sleep(2)", marker], WorkingDirectory: "/",
                RunAsUser: ProcessIdentity.ServiceUserOrNull()), log, CancellationToken.None);
            try
            {
                var watch = Stopwatch.StartNew();
                while (watch.ElapsedMilliseconds < 300)
                {
                    reads++;
                    misses += ProcessControl.CommandLineContains(pid, marker) ? 0 : 1;
                }
            }
            finally
            {
                await ProcessControl.TerminateAsync(pid, TimeSpan.FromSeconds(5), CancellationToken.None);
            }
        }

        File.Delete(log);
        reads.ShouldBeGreaterThan(1000);
        misses.ShouldBe(0, $"{misses} of {reads} identity checks took the starting daemon for another program or dead");
    }

    [Fact]
    public async Task Run_switches_user_passes_environment_and_stdin()
    {
        var result = await _runner.RunAsync(
            new ProcessSpec("/bin/sh", ["-c", "id -un; printf '%s\\n' \"$HYOPS_SECRET\"; cat"],
                WorkingDirectory: "/", Environment: new Dictionary<string, string> { ["HYOPS_SECRET"] = "s3cret" },
                RunAsUser: ProcessIdentity.ServiceUserOrNull(), StdinText: "from-stdin"),
            CancellationToken.None);

        result.EnsureSuccess().StdOut.Split('\n')[..3].ShouldBe([ProcessIdentity.ServiceUserOrNull() ?? ProcessIdentity.UserName, "s3cret", "from-stdin"]);
        string.Join(' ', result.Argv).ShouldNotContain("s3cret");
    }

    [Fact]
    public async Task Timeout_kills_the_process()
    {
        var stopwatch = Stopwatch.StartNew();
        await Should.ThrowAsync<TimeoutException>(() =>
            _runner.RunAsync(new ProcessSpec("sleep", ["30"], Timeout: TimeSpan.FromMilliseconds(300)), CancellationToken.None));
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }
}
