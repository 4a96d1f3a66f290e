using HybridOps.Postgres.Hosts;

namespace HybridOps.Core.Tests.Hosts;

/// <summary>Service definitions: names, start-stop-daemon argv, environment files.</summary>
public sealed class ServiceUnitTests
{
    [Fact]
    public void Start_stop_daemon_runs_a_bare_program_through_env_and_an_environment_file_through_sh()
    {
        var plain = new ServiceUnit("etcd", ["etcd", "--name", "e1"], "etcd", "/var/log/etcd.log");
        StartStopDaemonServiceManager.StartArgv(plain).ShouldBe([
            "start-stop-daemon", "--start", "--quiet", "--oknodo", "--background", "--make-pidfile", "--pidfile", "/run/hyops/etcd.pid",
            "--user", "etcd", "--chuid", "etcd", "--chdir", "/", "--output", "/var/log/etcd.log", "--startas", "/usr/bin/env", "--", "etcd", "--name", "e1"]);

        var withEnv = plain with { Argv = ["/usr/bin/patroni", "/etc/p.yml"], EnvironmentFile = "/etc/p.env", WorkingDirectory = "/var/lib/postgresql" };
        StartStopDaemonServiceManager.StartArgv(withEnv)[^9..].ShouldBe([
            "--startas", "/bin/sh", "--", "-c", "set -a; . \"$1\"; set +a; shift; exec \"$@\"", "hyops-service", "/etc/p.env", "/usr/bin/patroni", "/etc/p.yml"]);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("Patroni")]
    [InlineData("")]
    public void A_service_name_that_is_not_a_plain_word_is_refused(string name) =>
        Should.Throw<ArgumentException>(() => new ServiceUnit(name, ["true"], "postgres", "/tmp/x.log").Validate());

    [Fact]
    public void A_relative_log_file_is_refused() =>
        Should.Throw<ArgumentException>(() => new ServiceUnit("x", ["true"], "postgres", "x.log").Validate()).Message.ShouldContain("absolute");

    [Fact]
    public void An_environment_file_is_single_quoted_lines_and_refuses_what_systemd_and_sh_read_differently()
    {
        ServiceEnvironmentFile.Render(new Dictionary<string, string> { ["B"] = "two words", ["A"] = "x" }).ShouldBe("# Written by hyops.\nA='x'\nB='two words'\n");
        Should.Throw<ArgumentException>(() => ServiceEnvironmentFile.Render(new Dictionary<string, string> { ["A"] = "it's" }));
        Should.Throw<ArgumentException>(() => ServiceEnvironmentFile.Render(new Dictionary<string, string> { ["A"] = "$x" }));
    }
}
