using HybridOps.Postgres.Hosts;

namespace HybridOps.Core.Tests.Hosts;

/// <summary>The remote command string: become wrapping, an empty environment, quoting, secrets on stdin.</summary>
public sealed class RemoteCommandTests
{
    private const string Path = "/usr/bin:/bin";
    private static readonly SiteHost Ops = new("pg1", "pg1.example") { SshUser = "ops" };

    [Fact]
    public void Become_to_postgres_is_sudo_n_then_an_empty_environment_with_postgres_home()
    {
        var remote = RemoteCommand.Build(Ops, HostCommand.Of("psql", "-c", "select 1") with { RunAs = "postgres" }, Path);

        remote.CommandLine.ShouldBe(
            "exec 'sudo' '-n' '-u' 'postgres' '--' env -i 'PATH=/usr/bin:/bin' 'LANG=C.UTF-8' /bin/sh -c "
            + "'HOME=~postgres USER=postgres LOGNAME=postgres; export HOME USER LOGNAME; exec \"$@\"' hyops 'psql' '-c' 'select 1'");
        remote.Become.TargetUser.ShouldBe("postgres");
    }

    [Fact]
    public void Without_become_the_login_users_own_identity_is_kept_and_nothing_else()
    {
        var remote = RemoteCommand.Build(Ops, HostCommand.Of("id"), Path);

        remote.CommandLine.ShouldBe("exec env -i HOME=\"$HOME\" USER=\"$USER\" LOGNAME=\"$LOGNAME\" 'PATH=/usr/bin:/bin' 'LANG=C.UTF-8' /bin/sh -c 'exec \"$@\"' hyops 'id'");
    }

    [Fact]
    public void Root_is_sudo_n_u_root_unless_the_login_user_is_root()
    {
        RemoteCommand.Build(Ops, HostCommand.Of("id") with { RunAs = HostCommand.Root }, Path).CommandLine.ShouldStartWith("exec 'sudo' '-n' '-u' 'root' '--' env -i");
        RemoteCommand.Build(Ops with { SshUser = "root" }, HostCommand.Of("id") with { RunAs = HostCommand.Root }, Path).CommandLine.ShouldStartWith("exec env -i HOME=");
    }

    [Fact]
    public void Logging_in_as_the_service_user_runs_its_commands_directly_and_refuses_other_users()
    {
        var direct = Ops with { SshUser = null, Become = BecomeMethod.None };

        RemoteCommand.Build(direct, HostCommand.Of("id") with { RunAs = "postgres" }, Path).Become.Becomes.ShouldBeFalse();
        Should.Throw<ArgumentException>(() => RemoteCommand.Build(direct, HostCommand.Of("id") with { RunAs = "etcd" }, Path)).Message.ShouldContain("become: none");
    }

    [Fact]
    public void Every_argv_word_is_single_quoted_so_no_shell_reparses_it()
    {
        var remote = RemoteCommand.Build(Ops, HostCommand.Of("printf", "it's", "$HOME", "a b;c"), Path);

        remote.CommandLine.ShouldEndWith("hyops 'printf' 'it'\\''s' '$HOME' 'a b;c'");
    }

    [Fact]
    public void Secrets_go_on_stdin_before_the_commands_own_stdin_and_only_their_names_reach_the_command_line()
    {
        var remote = RemoteCommand.Build(Ops, new HostCommand(["pg_dump"])
        {
            RunAs = "postgres",
            SecretEnvironment = new Dictionary<string, string> { ["PGPASSWORD"] = "pw'$x", ["AWS_SECRET"] = "k2" },
            Environment = new Dictionary<string, string> { ["PGAPPNAME"] = "hyops" },
            StdinText = "data",
            WorkingDirectory = "/var/tmp/dump dir",
        }, Path);

        remote.Stdin.ShouldBe("k2\npw'$x\ndata");
        remote.CommandLine.ShouldNotContain("pw'");
        remote.CommandLine.ShouldNotContain("k2");
        remote.CommandLine.ShouldContain("'PGAPPNAME=hyops'");
        remote.CommandLine.ShouldContain("IFS= read -r AWS_SECRET || exit 125; export AWS_SECRET; IFS= read -r PGPASSWORD || exit 125; export PGPASSWORD");
        remote.CommandLine.ShouldContain("cd '\\''/var/tmp/dump dir'\\'' || exit 126");
    }

    [Fact]
    public void A_multi_line_secret_or_a_bad_variable_name_is_refused()
    {
        Should.Throw<ArgumentException>(() => RemoteCommand.Build(Ops, HostCommand.Of("true") with { SecretEnvironment = new Dictionary<string, string> { ["K"] = "a\nb" } }, Path));
        Should.Throw<ArgumentException>(() => RemoteCommand.Build(Ops, HostCommand.Of("true") with { Environment = new Dictionary<string, string> { ["A;B"] = "x" } }, Path));
        Should.Throw<ArgumentException>(() => RemoteCommand.Build(Ops, HostCommand.Of("true") with { RunAs = "post gres" }, Path));
    }

    [Fact]
    public void A_timeout_is_enforced_on_the_host_by_coreutils_timeout()
    {
        RemoteCommand.Build(Ops, HostCommand.Of("sleep", "9") with { Timeout = TimeSpan.FromMilliseconds(1500) }, Path)
            .CommandLine.ShouldContain("'LANG=C.UTF-8' timeout -k 5 1.5s /bin/sh -c");
    }

    [Fact]
    public void A_command_prints_secret_variables_by_name_only()
    {
        var command = HostCommand.Of("true") with { SecretEnvironment = new Dictionary<string, string> { ["PGPASSWORD"] = "hunter2" } };

        command.ToString().ShouldContain("PGPASSWORD");
        command.ToString().ShouldNotContain("hunter2");
    }
}
