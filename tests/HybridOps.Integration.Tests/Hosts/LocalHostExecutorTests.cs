using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Integration.Tests.Hosts;

/// <summary>The local transport: the same API on hyops' own machine, through the process runner.</summary>
public sealed class LocalHostExecutorTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Runs_as_the_service_user_with_secrets_in_the_environment_only()
    {
        await using var local = new LocalHostExecutor();
        var user = ProcessIdentity.ServiceUserOrNull();
        var result = (await local.RunAsync(new HostCommand(["sh", "-c", "id -un; printf '%s\\n' \"$S\"; pwd"])
        {
            RunAs = user, SecretEnvironment = new Dictionary<string, string> { ["S"] = "local-secret" }, WorkingDirectory = "/tmp",
        }, None)).EnsureSuccess();

        result.StdOut.ShouldBe($"{user ?? ProcessIdentity.UserName}\nlocal-secret\n/tmp\n");
        string.Join(' ', result.RedactedArgv).ShouldNotContain("local-secret");
        result.Host.Transport.ShouldBe(SiteHost.LocalTransport);
    }

    [Fact]
    public async Task Put_and_get_keep_owner_mode_and_bytes()
    {
        var path = Path.Combine("/tmp", "hyops-local-put-" + Guid.NewGuid().ToString("N")[..6]);
        await using var local = new LocalHostExecutor();
        var owner = ProcessIdentity.IsRoot ? "postgres" : ProcessIdentity.UserName;
        try
        {
            (await local.GetFileAsync(path, None)).ShouldBeNull();
            await local.PutFileAsync(path, new byte[] { 1, 2, 0, 3 }, owner, owner, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, None);

            (await local.RunAsync(HostCommand.Of("stat", "-c", "%U %a", path), None)).EnsureSuccess().StdOut.ShouldBe($"{owner} 640\n");
            (await local.GetFileAsync(path, None)).ShouldBe(new byte[] { 1, 2, 0, 3 });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_timeout_is_a_host_command_timeout_not_a_cancellation()
    {
        await using var local = new LocalHostExecutor();
        var timeout = await Should.ThrowAsync<HostCommandTimeoutException>(() =>
            local.RunAsync(HostCommand.Of("sleep", "30") with { Timeout = TimeSpan.FromMilliseconds(300) }, None));

        timeout.Message.ShouldContain("local");
        timeout.Diagnostics[0].Code.ShouldBe("HYO7103");
    }
}
