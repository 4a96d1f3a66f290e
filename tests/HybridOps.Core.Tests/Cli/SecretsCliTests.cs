using HybridOps.Cli;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

/// <summary>`hyops secrets set|list|rm` against a real vault file under a temp runtime root.</summary>
[Collection(CliCollection.Name)]
public sealed class SecretsCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private Dictionary<string, string> Env(string password = "vault-pass-1") => new()
    {
        ["HOME"] = dir.Path,
        ["HYOPS_VAULT_PASSWORD"] = password,
    };

    private async Task<(int Code, string Out, string Err)> RunAsync(Dictionary<string, string> env, string stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HyopsCli.RunAsync(["--root", dir.Path, .. args], new CliIO(stdout, stderr, new StringReader(stdin)), env, TimeProvider.System, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task SetListRm_RoundTrip_KeepsTheValueOutOfEveryFileAndOutput()
    {
        const string value = "value-that-must-not-leak-7f3a";
        var set = await RunAsync(Env(), value + "\n", "secrets", "set", "APP_DB_PASSWORD");
        var list = await RunAsync(Env(), "", "--output", "json", "secrets", "list");
        var rm = await RunAsync(Env(), "", "secrets", "rm", "APP_DB_PASSWORD");
        var rmAgain = await RunAsync(Env(), "", "secrets", "rm", "APP_DB_PASSWORD");

        set.Code.ShouldBe(0, set.Err);
        list.Code.ShouldBe(0, list.Err);
        list.Out.ShouldContain("APP_DB_PASSWORD");
        rm.Code.ShouldBe(0);
        rmAgain.Code.ShouldBe(2);
        foreach (var file in Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories))
        {
            File.ReadAllText(file).ShouldNotContain(value, customMessage: file);
        }

        foreach (var text in new[] { set.Out, set.Err, list.Out, list.Err })
        {
            text.ShouldNotContain(value);
        }
    }

    [Fact]
    public async Task List_WithTheWrongVaultPassword_FailsWithTheSecretExitCode()
    {
        (await RunAsync(Env(), "v4lue-1234\n", "secrets", "set", "K1")).Code.ShouldBe(0);

        var r = await RunAsync(Env("another-password"), "", "secrets", "list");

        r.Code.ShouldBe(12);
        r.Err.ShouldContain("HYO7003");
    }

    [Fact]
    public async Task Set_WithAnInvalidName_IsAnInputError()
    {
        var r = await RunAsync(Env(), "v4lue-1234\n", "secrets", "set", "lower-case");

        r.Code.ShouldBe(2);
        r.Err.ShouldContain("HYO2003");
    }
}
