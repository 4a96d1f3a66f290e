using HybridOps.Postgres.Hosts;

namespace HybridOps.Core.Tests.Hosts;

/// <summary>The local ssh argv is built from the inventory's data, option by option.</summary>
public sealed class SshCommandLineTests
{
    private static readonly SshExecutorOptions Options = new() { ConnectTimeout = TimeSpan.FromSeconds(7), ControlPersist = TimeSpan.FromSeconds(90) };

    [Fact]
    public void Every_declared_option_of_the_host_becomes_an_ssh_option()
    {
        var host = new SiteHost("pg1", "10.0.0.1")
        {
            SshPort = 2200, SshUser = "ops", JumpHost = "ops@bastion:2222", IdentityFile = "/keys/id", KnownHostsFile = "/inv/known_hosts", SshConfigFile = "/inv/ssh_config",
        };

        SshCommandLine.Connection(host, Options, "/tmp/hyops-ssh-1").ShouldBe([
            "ssh", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-F", "/inv/ssh_config", "-o", "UserKnownHostsFile=/inv/known_hosts", "-i", "/keys/id", "-o", "IdentitiesOnly=yes",
            "-J", "ops@bastion:2222", "-p", "2200", "-l", "ops", "-o", "ConnectTimeout=7", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3",
            "-o", "ControlMaster=auto", "-o", "ControlPersist=90s", "-o", "ControlPath=/tmp/hyops-ssh-1/%C",
            "--", "10.0.0.1"]);
    }

    [Fact]
    public void A_bare_host_leaves_user_key_and_known_hosts_to_ssh_config_but_keeps_strict_checking()
    {
        var argv = SshCommandLine.Connection(new SiteHost("pg1", "pg1.example"), Options with { Multiplex = false }, "/tmp/x");

        argv.ShouldBe(["ssh", "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-p", "22", "-o", "ConnectTimeout=7", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3", "--", "pg1.example"]);
    }

    [Fact]
    public void Closing_the_master_uses_the_same_options_so_the_same_control_path()
    {
        var host = new SiteHost("pg1", "pg1.example") { SshUser = "ops" };
        var exit = SshCommandLine.ExitMaster(host, Options, "/tmp/c");

        exit[..3].ShouldBe(["ssh", "-O", "exit"]);
        exit[3..].ShouldBe(SshCommandLine.Connection(host, Options, "/tmp/c")[1..]);
    }

    [Theory]
    [InlineData("-oProxyCommand=evil", null)]
    [InlineData("pg1", "-oProxyCommand=evil")]
    [InlineData("pg 1", null)]
    public void An_address_or_user_that_could_be_read_as_an_option_is_refused(string address, string? user) =>
        Should.Throw<ArgumentException>(() => SshCommandLine.Connection(new SiteHost("pg1", address) { SshUser = user }, Options, null));

    [Fact]
    public void The_remote_command_is_the_last_argv_element()
    {
        var (argv, stdin) = SshCommandLine.For(new SiteHost("pg1", "pg1.example"), Options, "/tmp/c", HostCommand.Of("true"));

        argv[^2].ShouldBe("pg1.example");
        argv[^1].ShouldStartWith("exec env -i ");
        argv[^1].ShouldEndWith(" hyops 'true'");
        stdin.ShouldBeNull();
    }
}
