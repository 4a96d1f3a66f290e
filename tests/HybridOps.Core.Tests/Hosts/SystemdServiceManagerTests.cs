using HybridOps.Postgres.Hosts;

namespace HybridOps.Core.Tests.Hosts;

/// <summary>The systemd service manager: the unit it writes and the systemctl calls it makes.</summary>
public sealed class SystemdServiceManagerTests
{
    private static readonly ServiceUnit Patroni = new("patroni", ["/usr/bin/patroni", "/etc/patroni/100% \"main\".yml", "$HOME"], "postgres", "/var/log/hyops/patroni.log")
    {
        EnvironmentFile = "/etc/patroni/patroni.env", Description = "Patroni (hyops)",
    };

    [Fact]
    public void The_unit_runs_the_argv_exactly_with_specifiers_and_variables_escaped()
    {
        var text = SystemdUnitFile.Render(Patroni);

        text.ShouldContain("ExecStart=\"/usr/bin/patroni\" \"/etc/patroni/100%% \\\"main\\\".yml\" \"$$HOME\"\n");
        text.ShouldContain("User=postgres\n");
        text.ShouldContain("EnvironmentFile=/etc/patroni/patroni.env\n");
        text.ShouldContain("StandardOutput=append:/var/log/hyops/patroni.log\n");
        SystemdUnitFile.PathOf("patroni").ShouldBe("/etc/systemd/system/hyops-patroni.service");
    }

    [Fact]
    public async Task Start_writes_the_unit_reloads_once_and_starts_as_root()
    {
        var host = new RecordingHostExecutor { Respond = c => (0, c.Argv.Contains("show") ? "ActiveState=active\nSubState=running\nMainPID=4242\nLoadState=loaded\n" : "") };
        var services = ServiceManagers.Create(ServiceManagers.Systemd, host);

        var status = await services.StartAsync(Patroni, CancellationToken.None);
        await services.StartAsync(Patroni, CancellationToken.None);

        status.ShouldBe(new ServiceStatus("patroni", true, 4242, "loaded/active/running"));
        host.Files.Keys.ShouldBe(["/etc/systemd/system/hyops-patroni.service"]);
        var systemctl = host.Commands.Where(c => c.Argv[0] == "systemctl").Select(c => string.Join(" ", c.Argv.Skip(1).Take(2))).ToList();
        systemctl.Count(c => c.StartsWith("daemon-reload", StringComparison.Ordinal)).ShouldBe(1, "an unchanged unit needs no reload");
        systemctl.Count(c => c == "start hyops-patroni.service").ShouldBe(2);
        host.Commands.ShouldAllBe(c => c.RunAs == HostCommand.Root);
    }

    [Fact]
    public async Task A_stop_that_times_out_kills_the_unit()
    {
        var host = new RecordingHostExecutor();
        host.Respond = c => c.Argv is ["systemctl", "stop", ..] && host.Commands.Count(x => x.Argv[1] == "stop") == 1
            ? throw new HostCommandTimeoutException(host.Host, c.Argv, c.Timeout!.Value)
            : (0, "");

        await new SystemdServiceManager(host).StopAsync("patroni", TimeSpan.FromSeconds(3), CancellationToken.None);

        host.Commands.Select(c => string.Join(' ', c.Argv)).ShouldBe([
            "systemctl stop hyops-patroni.service", "systemctl kill --signal=SIGKILL hyops-patroni.service", "systemctl stop hyops-patroni.service"]);
        host.Commands[0].Timeout.ShouldBe(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void An_inactive_unit_has_no_main_pid()
    {
        SystemdServiceManager.Parse("x", "ActiveState=inactive\nSubState=dead\nMainPID=0\nLoadState=not-found\n")
            .ShouldBe(new ServiceStatus("x", false, null, "not-found/inactive/dead"));
    }
}
