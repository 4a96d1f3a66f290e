using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Runtime;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed partial class CliCommandTests : IDisposable
{
    private readonly CliTestContent c = new();

    public void Dispose() => c.Dispose();

    [GeneratedRegex(@"^HYO\d{4}$")]
    private static partial Regex CodePattern();

    [Fact]
    public async Task ModuleDeploy_OfUnknownModule_Exits2WithHYO1007()
    {
        var before = TempDir.Snapshot(c.Root);

        var r = await c.RunAsync("module", "deploy", "--module", "does/not/exist", "--root", c.Root);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO1007");
        TempDir.Snapshot(c.Root).ShouldBe(before);
    }

    [Fact]
    public async Task ModuleDeploy_WithJsonOutput_PrintsOneJsonDocumentWithDiagnosticsCode()
    {
        var r = await c.RunAsync("module", "deploy", "--module", "does/not/exist", "--root", c.Root, "--output", "json");

        r.ExitCode.ShouldBe(2, r.ToString());
        var doc = JsonNode.Parse(r.Stdout).ShouldNotBeNull();
        doc["diagnostics"]![0]!["code"]!.GetValue<string>().ShouldBe("HYO1007");
        doc["exit_name"]!.GetValue<string>().ShouldBe("InputError");
    }

    [Fact]
    public async Task Diagnostics_WithJsonOutput_ListsUniqueWellFormedCodes()
    {
        var r = await c.RunAsync("diagnostics", "--output", "json");

        r.ExitCode.ShouldBe(0, r.ToString());
        var doc = JsonNode.Parse(r.Stdout).ShouldNotBeNull();
        var codes = doc["diagnostics"]!.AsArray().Select(d => d!["code"]!.GetValue<string>()).ToList();
        codes.Count.ShouldBeGreaterThan(20);
        codes.ShouldBeUnique();
        codes.ShouldAllBe(code => CodePattern().IsMatch(code));
        codes.ShouldContain("HYO7001");
        doc["diagnostics"]!.AsArray().ShouldAllBe(d => d!["hint"]!.GetValue<string>().Length > 0);
        doc["exit_codes"]!.AsArray().Select(e => e!["code"]!.GetValue<int>()).ShouldBeUnique();
    }

    [Theory]
    [InlineData("module", "deploy", "--module", "x/y", "--no-such-option")]
    [InlineData("module", "deploy")]
    [InlineData("blueprint", "validate")]
    [InlineData("diagnostics", "--output", "yaml")]
    [InlineData("no-such-command")]
    public async Task BadCommandLine_Exits2(params string[] args)
    {
        var r = await c.RunAsync([.. args, "--root", c.Root]);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task ModuleDeploy_OfARealModule_WritesStateUnderTheRoot()
    {
        var inputs = c.Dir.Write("inputs.yml", CliTestContent.ValidInventoryInputs);
        c.Env["HYOPS_CONTENT_ROOT"] = RepoRoot.Path;

        var r = await c.RunAsync("module", "deploy", "--module", "platform/onprem/inventory", "--inputs", inputs, "--root", c.Root, "--output", "json");

        r.ExitCode.ShouldBe(0, r.ToString());
        JsonNode.Parse(r.Stdout)!["status"]!.GetValue<string>().ShouldBe("ok");
        File.Exists(Path.Combine(c.Root, "state", "modules", "platform__onprem__inventory", "latest.json")).ShouldBeTrue();
    }

    [Fact]
    public async Task ModuleDeploy_WithLiteralSecretInInputs_Exits2WithHYO2004_AndWritesNothing()
    {
        var inputs = c.Dir.Write("inputs.yml", CliTestContent.ValidInventoryInputs + "\ndb_password: hunter22\n");
        c.Env["HYOPS_CONTENT_ROOT"] = RepoRoot.Path;
        var before = TempDir.Snapshot(c.Root);

        var r = await c.RunAsync("module", "deploy", "--module", "platform/onprem/inventory", "--inputs", inputs, "--root", c.Root);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2004");
        (r.Stdout + r.Stderr).ShouldNotContain("hunter22");
        TempDir.Snapshot(c.Root).ShouldBe(before);
    }

    [Fact]
    public async Task ModuleDeploy_WithSecretEnvNameInInputs_IsAccepted()
    {
        var inputs = c.Dir.Write("inputs.yml", CliTestContent.ValidInventoryInputs + "\ndb_password_env: PG_APP_PASSWORD\n");
        c.Env["HYOPS_CONTENT_ROOT"] = RepoRoot.Path;

        var r = await c.RunAsync("module", "deploy", "--module", "platform/onprem/inventory", "--inputs", inputs, "--root", c.Root);

        r.ExitCode.ShouldBe(0, r.ToString());
    }

    [Fact]
    public async Task ModuleDeploy_WithAbsentStateRef_Exits7WithHYO2006()
    {
        c.Env["HYOPS_CONTENT_ROOT"] = RepoRoot.Path;
        c.Env["HYOPS_INPUT_INVENTORY_STATE_REF"] = "platform/onprem/inventory#nowhere";

        var r = await c.RunAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha", "--root", c.Root);

        r.ExitCode.ShouldBe(7, r.ToString());
        r.Stderr.ShouldContain("HYO2006");
    }

    [Fact]
    public async Task ModuleDeploy_WhileTheRootLockIsHeld_Exits11WithHYO7001_WithoutChangingState()
    {
        var inputs = c.Dir.Write("inputs.yml", CliTestContent.ValidInventoryInputs);
        c.Env["HYOPS_CONTENT_ROOT"] = RepoRoot.Path;
        var before = TempDir.Snapshot(Path.Combine(c.Root, "state"));

        CliResult r;
        using (RootLock.Acquire(c.Root))
        {
            r = await c.RunAsync("module", "deploy", "--module", "platform/onprem/inventory", "--inputs", inputs, "--root", c.Root);
        }

        r.ExitCode.ShouldBe(11, r.ToString());
        r.Stderr.ShouldContain("HYO7001");
        TempDir.Snapshot(Path.Combine(c.Root, "state")).ShouldBe(before);
    }
}
