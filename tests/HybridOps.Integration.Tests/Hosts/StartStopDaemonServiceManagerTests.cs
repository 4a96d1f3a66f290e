using System.Text;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Integration.Tests.Hosts;

/// <summary>The service manager of the lab's hosts (start-stop-daemon), over the test sshd, as root through sudo.</summary>
[Collection("sshd")]
public sealed class StartStopDaemonServiceManagerTests(SshdFixture sshd) : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _name = "test-sleep-" + Guid.NewGuid().ToString("N")[..6];
    private SshHostExecutor _ssh = null!;

    public Task InitializeAsync()
    {
        _ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var services = new StartStopDaemonServiceManager(_ssh);
        await services.StopAsync(_name, TimeSpan.FromSeconds(5), None);
        await _ssh.RunAsync(new HostCommand(["sh", "-c", "rm -f -- \"$1\" \"$2\" \"$3\" \"$4\"; rmdir -- /etc/hyops/services /etc/hyops /run/hyops 2>/dev/null; true", "sh",
            StartStopDaemonServiceManager.DefinitionPath(_name), StartStopDaemonServiceManager.PidFile(_name), Log, EnvFile]), None);
        await _ssh.DisposeAsync();
    }

    private string Log => $"/tmp/hyops-{_name}.log";

    private string EnvFile => $"/tmp/hyops-{_name}.env";

    [Fact]
    public async Task Starts_sleep_as_postgres_reports_its_pid_stops_it_and_restarts_it()
    {
        IServiceManager services = ServiceManagers.Create(ServiceManagers.StartStopDaemon, _ssh);
        await _ssh.PutFileAsync(EnvFile, Encoding.UTF8.GetBytes(ServiceEnvironmentFile.Render(new Dictionary<string, string> { ["HYOPS_SERVICE_SECRET"] = "from-the-env-file" })),
            "postgres", "postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite, None);
        var unit = new ServiceUnit(_name, ["sleep", "300"], "postgres", Log) { EnvironmentFile = EnvFile, Description = "test sleep" };

        (await services.StatusAsync(_name, None)).Active.ShouldBeFalse();
        var started = await services.StartAsync(unit, None);
        started.Active.ShouldBeTrue(started.Detail);
        var pid = started.MainPid.ShouldNotBeNull();
        (await _ssh.RunAsync(HostCommand.Of("ps", "-o", "user=,args=", "-p", pid.ToString()), None)).EnsureSuccess().StdOut.Trim().ShouldBe("postgres sleep 300");
        var environ = (await _ssh.RunAsync(HostCommand.Of("cat", $"/proc/{pid}/environ") with { RunAs = HostCommand.Root }, None)).EnsureSuccess().StdOut.Split('\0');
        environ.ShouldContain("HYOPS_SERVICE_SECRET=from-the-env-file");
        environ.ShouldNotContain(v => v.StartsWith("PGHOST=", StringComparison.Ordinal), "the login session's variables stay out of services too");

        (await services.StartAsync(unit, None)).MainPid.ShouldBe(pid, "start is idempotent");

        var restarted = await services.RestartAsync(unit, TimeSpan.FromSeconds(5), None);
        restarted.Active.ShouldBeTrue();
        restarted.MainPid.ShouldNotBe(pid);
        Directory.Exists($"/proc/{pid}").ShouldBeFalse("the old process ended");

        await services.StopAsync(_name, TimeSpan.FromSeconds(5), None);
        var stopped = await services.StatusAsync(_name, None);
        stopped.Active.ShouldBeFalse();
        stopped.MainPid.ShouldBeNull();
        Directory.Exists($"/proc/{restarted.MainPid}").ShouldBeFalse();
        await services.StopAsync(_name, TimeSpan.FromSeconds(5), None);
    }

    [Fact]
    public async Task A_service_that_ignores_SIGTERM_is_killed_after_the_stop_timeout()
    {
        var services = new StartStopDaemonServiceManager(_ssh);
        var unit = new ServiceUnit(_name, ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"], "postgres", Log);
        var pid = (await services.StartAsync(unit, None)).MainPid.ShouldNotBeNull();

        await services.StopAsync(_name, TimeSpan.FromSeconds(1), None);

        Directory.Exists($"/proc/{pid}").ShouldBeFalse();
        (await services.StatusAsync(_name, None)).Active.ShouldBeFalse();
    }
}
