using System.Diagnostics;
using System.Text;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;
using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Hosts;

/// <summary>The ssh host executor against a real sshd on 127.0.77.1:2222.</summary>
[Collection("sshd")]
public sealed class SshHostExecutorTests(SshdFixture sshd, ITestOutputHelper output)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_command_returns_its_exit_code_stdout_and_stderr()
    {
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        var result = await ssh.RunAsync(HostCommand.Of("sh", "-c", "echo out; echo err >&2; exit 7"), None);

        result.ExitCode.ShouldBe(7);
        result.StdOut.ShouldBe("out\n");
        result.StdErr.ShouldBe("err\n");
        result.Host.Name.ShouldBe("ssh-test");
        result.RedactedArgv[0].ShouldBe("ssh");
    }

    [Fact]
    public async Task Argv_with_spaces_quotes_and_dollars_arrives_unchanged()
    {
        string[] words = ["a b", "it's", "$HOME", "\"q\"", "`id`", ";", "*", "$(echo no)", "back\\slash", "", "tab\there"];
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        var result = (await ssh.RunAsync(new HostCommand(["printf", "[%s]\\n", .. words]), None)).EnsureSuccess();

        result.StdOut.ShouldBe(string.Concat(words.Select(w => $"[{w}]\n")));
    }

    [Fact]
    public async Task Become_runs_the_command_as_postgres_with_its_own_home_through_sudo()
    {
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        var result = (await ssh.RunAsync(new HostCommand(["sh", "-c", "id -un; echo \"$HOME $USER $LOGNAME\"; pwd"])
        {
            RunAs = "postgres", WorkingDirectory = "/tmp",
        }, None)).EnsureSuccess();

        result.StdOut.ShouldBe("postgres\n/var/lib/postgresql postgres postgres\n/tmp\n");
        result.RedactedArgv[^1].ShouldContain("'sudo' '-n' '-u' 'postgres' '--'");
    }

    [Fact]
    public async Task Logging_in_as_the_service_user_needs_no_become_and_cannot_become_root()
    {
        await using var ssh = new SshHostExecutor(sshd.PostgresHost, SshdFixture.Options());
        (await ssh.RunAsync(HostCommand.Of("id", "-un"), None)).EnsureSuccess().StdOut.ShouldBe("postgres\n");

        var refused = await Should.ThrowAsync<HostBecomeRefusedException>(() => ssh.RunAsync(HostCommand.Of("true") with { RunAs = HostCommand.Root }, None));
        refused.Diagnostics[0].Code.ShouldBe("HYO7105");
        refused.Message.ShouldContain("ssh-test");
    }

    [Fact]
    public async Task Secret_environment_reaches_the_command_but_no_argv_local_or_remote_and_no_record()
    {
        var secret = "s3cret-" + Guid.NewGuid().ToString("N");
        var marker = Path.Combine("/tmp", "hyops-secret-started-" + Guid.NewGuid().ToString("N")[..6]);
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        var command = new HostCommand(["sh", "-c", "printf '%s\\n' \"$HYOPS_TEST_SECRET\"; cat; touch \"$1\"; sleep 2", "sh", marker])
        {
            RunAs = "postgres",
            SecretEnvironment = new Dictionary<string, string> { ["HYOPS_TEST_SECRET"] = secret },
            StdinText = "the command's own stdin\n",
        };
        var run = ssh.RunAsync(command, None);

        // While the remote command sleeps, no process on this machine (ssh, sshd's children, sudo, sh) shows the value.
        while (!File.Exists(marker) && !run.IsCompleted)
        {
            await Task.Delay(20);
        }

        var seen = Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d)).Where(p => p.All(char.IsDigit))
            .Select(p => string.Join(' ', ProcessControl.ReadCommandLine(int.Parse(p)))).ToList();
        seen.ShouldNotContain(c => c.Contains(secret, StringComparison.Ordinal));
        seen.ShouldContain(c => c.Contains("HYOPS_TEST_SECRET", StringComparison.Ordinal), "the remote preamble names the variable");

        var result = (await run).EnsureSuccess();
        File.Delete(marker);
        result.StdOut.ShouldBe($"{secret}\nthe command's own stdin\n");
        string.Join(' ', result.RedactedArgv).ShouldNotContain(secret);
        string.Join(' ', result.RedactedArgv).ShouldContain("HYOPS_TEST_SECRET");
        command.ToString().ShouldNotContain(secret);
    }

    [Fact]
    public async Task Neither_the_operators_nor_the_login_sessions_PG_variables_reach_the_command()
    {
        var saved = (Environment.GetEnvironmentVariable("PGPASSWORD"), Environment.GetEnvironmentVariable("PGHOST"));
        Environment.SetEnvironmentVariable("PGPASSWORD", "from-the-operator");
        Environment.SetEnvironmentVariable("PGHOST", "operator.invalid");
        try
        {
            // Control: a bare ssh login session of this sshd does carry PG variables (sshd_config SetEnv).
            var bare = await new LocalProcessRunner().RunAsync(new ProcessSpec("ssh",
                [.. SshCommandLine.Connection(sshd.RootHost, SshdFixture.Options(multiplex: false), null).Skip(1), "env"], Timeout: TimeSpan.FromSeconds(20)), None);
            bare.StdOut.ShouldContain("PGHOST=leak.invalid");

            await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
            foreach (var runAs in new[] { null, "postgres" })
            {
                var env = (await ssh.RunAsync(HostCommand.Of("env") with { RunAs = runAs, Environment = new Dictionary<string, string> { ["PGAPPNAME"] = "hyops" } }, None))
                    .EnsureSuccess().StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                env.Where(l => l.StartsWith("PG", StringComparison.Ordinal)).ShouldBe(["PGAPPNAME=hyops"]);
                env.ShouldContain("LANG=C.UTF-8");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", saved.Item1);
            Environment.SetEnvironmentVariable("PGHOST", saved.Item2);
        }
    }

    [Fact]
    public async Task Put_writes_atomically_with_owner_and_mode_and_get_reads_the_bytes_back()
    {
        var path = Path.Combine(sshd.Dir, "put-" + Guid.NewGuid().ToString("N")[..6] + ".conf");
        byte[] content = [.. Encoding.UTF8.GetBytes("password = 'x y'\n$HOME `id`\n" + new string('z', 5000)), 0, 255, 10];
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());

        (await ssh.GetFileAsync(path, None)).ShouldBeNull();
        await File.WriteAllTextAsync(path, "old, world-readable");
        await ssh.PutFileAsync(path, content, "postgres", "postgres", UnixFileMode.UserRead | UnixFileMode.UserWrite, None);

        (await ssh.RunAsync(HostCommand.Of("stat", "-c", "%U %G %a", path), None)).EnsureSuccess().StdOut.ShouldBe("postgres postgres 600\n");
        (await ssh.GetFileAsync(path, None)).ShouldBe(content);
        Directory.GetFiles(sshd.Dir, ".hyops-put.*").ShouldBeEmpty("no temp file is left behind");
    }

    [Fact]
    public async Task Streaming_hands_over_each_line_before_the_command_ends()
    {
        var release = Path.Combine(sshd.Dir, "release-" + Guid.NewGuid().ToString("N")[..6]);
        var lines = new List<string>();
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());

        // The command only ends after the test saw its first line (it waits for a file the callback creates).
        var result = await ssh.RunStreamingAsync(
            new HostCommand(["sh", "-c", "echo one; echo warn >&2; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo two", "sh", release]) { Timeout = TimeSpan.FromSeconds(30) },
            line =>
            {
                lines.Add(line);
                if (line == "one")
                {
                    File.WriteAllText(release, "");
                }
            },
            None);

        result.EnsureSuccess().StdOut.ShouldBe("one\ntwo\n");
        lines.ShouldBe(["one", "warn", "two"], ignoreOrder: true);
        lines.IndexOf("one").ShouldBeLessThan(lines.IndexOf("two"));
    }

    [Fact]
    public async Task A_command_timeout_is_a_connectivity_failure_naming_the_host_and_the_remote_command_is_killed()
    {
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        var timeout = await Should.ThrowAsync<HostCommandTimeoutException>(() =>
            ssh.RunAsync(HostCommand.Of("sleep", "31.77") with { Timeout = TimeSpan.FromSeconds(1) }, None));

        timeout.Diagnostics[0].Code.ShouldBe("HYO7103");
        timeout.ExitCode.ShouldBe(HybridOps.Core.Diagnostics.ExitCode.ConnectivityFailure);
        timeout.Message.ShouldContain("ssh-test");
        timeout.Message.ShouldContain("sleep 31.77");
        timeout.ShouldNotBeAssignableTo<OperationCanceledException>();
        LiveCommandLines().ShouldNotContain("sleep 31.77");
    }

    [Fact]
    public async Task Only_the_callers_token_is_a_cancellation()
    {
        await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Should.ThrowAsync<OperationCanceledException>(() => ssh.RunAsync(HostCommand.Of("sleep", "30"), cts.Token));
    }

    [Fact]
    public async Task A_host_key_that_differs_from_known_hosts_is_refused_with_its_own_diagnostic()
    {
        await using var ssh = new SshHostExecutor(sshd.RootHost with { KnownHostsFile = sshd.WrongKnownHosts }, SshdFixture.Options());
        var refused = await Should.ThrowAsync<HostKeyRejectedException>(() => ssh.RunAsync(HostCommand.Of("true"), None));

        refused.Diagnostics[0].Code.ShouldBe("HYO7102");
        refused.Message.ShouldContain("ssh-test");
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_too_never_accepted()
    {
        var empty = Path.Combine(sshd.Dir, "known_hosts.empty");
        await File.WriteAllTextAsync(empty, "");
        await using var ssh = new SshHostExecutor(sshd.RootHost with { KnownHostsFile = empty }, SshdFixture.Options());

        await Should.ThrowAsync<HostKeyRejectedException>(() => ssh.RunAsync(HostCommand.Of("true"), None));
        (await File.ReadAllTextAsync(empty)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_closed_port_is_an_unreachable_host_naming_the_host_and_what_failed()
    {
        await using var ssh = new SshHostExecutor(sshd.RootHost with { SshPort = 2299 }, SshdFixture.Options());
        var unreachable = await Should.ThrowAsync<HostUnreachableException>(() => ssh.RunAsync(HostCommand.Of("true"), None));

        unreachable.Diagnostics[0].Code.ShouldBe("HYO7101");
        unreachable.ExitCode.ShouldBe(HybridOps.Core.Diagnostics.ExitCode.ConnectivityFailure);
        unreachable.Message.ShouldContain("ssh-test");
        unreachable.What.ShouldContain("Connection refused");
    }

    [Fact]
    public async Task Multiplexing_makes_a_command_cheap_medians_printed()
    {
        async Task<double> MedianAsync(bool multiplex)
        {
            await using var ssh = new SshHostExecutor(sshd.RootHost, SshdFixture.Options(multiplex));
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var watch = Stopwatch.StartNew();
                (await ssh.RunAsync(HostCommand.Of("true"), None)).EnsureSuccess();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            return times.Order().ElementAt(times.Count / 2);
        }

        var with = await MedianAsync(true);
        var without = await MedianAsync(false);
        output.WriteLine($"ssh `true` x20 median: {with:0.0} ms multiplexed, {without:0.0} ms without ControlMaster");
        with.ShouldBeGreaterThan(0);
    }

    private static List<string> LiveCommandLines() =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsDigit))
            .Select(p => string.Join(' ', ProcessControl.ReadCommandLine(int.Parse(p!))))];
}
