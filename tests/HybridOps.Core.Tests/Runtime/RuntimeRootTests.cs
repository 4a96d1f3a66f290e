using HybridOps.Core.Diagnostics;
using HybridOps.Core.Runtime;
using HybridOps.Core.Secrets;
using HybridOps.Core.Tests.Cli;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Runtime;

public sealed class RuntimeRootTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Home => dir.Combine("home");

    private DictionaryEnvironmentReader Env(string? runtimeRoot = null) =>
        new DictionaryEnvironmentReader().Set("HOME", Home).Set("HYOPS_RUNTIME_ROOT", runtimeRoot);

    [Fact]
    public void RootOption_BeatsEnvironmentVariable_AndEnvName()
    {
        RuntimeRoot.Resolve(dir.Combine("opt"), "staging", Env(dir.Combine("fromenv"))).ShouldBe(dir.Combine("opt"));
    }

    [Fact]
    public void EnvironmentVariable_BeatsEnvName()
    {
        RuntimeRoot.Resolve(null, "staging", Env(dir.Combine("fromenv"))).ShouldBe(dir.Combine("fromenv"));
    }

    [Fact]
    public void EnvName_BeatsTheDefault_AndLivesUnderHomeDotHybridopsEnvs()
    {
        RuntimeRoot.Resolve(null, "staging", Env()).ShouldBe(Path.Combine(Home, ".hybridops", "envs", "staging"));
    }

    [Fact]
    public void Default_IsHomeDotHybridops()
    {
        RuntimeRoot.Resolve(null, null, Env()).ShouldBe(Path.Combine(Home, ".hybridops"));
        RuntimeRoot.Resolve("  ", "", Env("")).ShouldBe(Path.Combine(Home, ".hybridops"));
    }

    [Fact]
    public void RelativeRoot_IsMadeAbsolute()
    {
        Path.IsPathRooted(RuntimeRoot.Resolve("relative/root", null, Env())).ShouldBeTrue();
    }

    [Theory]
    [InlineData("Bad!")]
    [InlineData("UPPER")]
    [InlineData("../escape")]
    [InlineData("-leading-dash")]
    public void InvalidEnvName_ReportsHYO7004(string envName)
    {
        var ex = Should.Throw<HyopsException>(() => RuntimeRoot.Resolve(null, envName, Env()));

        ex.Diagnostics[0].Code.ShouldBe("HYO7004");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
    }

    [Fact]
    public void RootThatIsAFile_ReportsHYO7004()
    {
        var file = dir.Write("not-a-dir", "x");

        Should.Throw<HyopsException>(() => RuntimeRoot.Resolve(file, null, Env())).Diagnostics[0].Code.ShouldBe("HYO7004");
    }
}

[Collection(CliCollection.Name)]
public sealed class RuntimeRootCliTests : IDisposable
{
    private readonly CliTestContent c = new(RepoRoot.Path);

    public void Dispose() => c.Dispose();

    private string Home => c.Env["HOME"];

    private async Task<string> DeployedStateFileAsync(params string[] extra)
    {
        var inputs = c.Dir.Write("inputs.yml", CliTestContent.ValidInventoryInputs);
        var r = await c.RunAsync(["module", "deploy", "--module", "platform/onprem/inventory", "--inputs", inputs, .. extra]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return Directory.GetFiles(c.Dir.Path, "latest.json", SearchOption.AllDirectories)
            .Single(f => f.Contains("platform__onprem__inventory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cli_RootOption_BeatsHyopsRuntimeRoot()
    {
        c.Env["HYOPS_RUNTIME_ROOT"] = c.Dir.Combine("fromenv");

        var state = await DeployedStateFileAsync("--root", c.Dir.Combine("opt"), "--env", "staging");

        state.ShouldStartWith(c.Dir.Combine("opt") + Path.DirectorySeparatorChar);
    }

    [Fact]
    public async Task Cli_HyopsRuntimeRoot_BeatsEnvOption()
    {
        c.Env["HYOPS_RUNTIME_ROOT"] = c.Dir.Combine("fromenv");

        var state = await DeployedStateFileAsync("--env", "staging");

        state.ShouldStartWith(c.Dir.Combine("fromenv") + Path.DirectorySeparatorChar);
    }

    [Fact]
    public async Task Cli_EnvOption_BeatsTheDefaultUnderHome()
    {
        var state = await DeployedStateFileAsync("--env", "staging");

        state.ShouldStartWith(Path.Combine(Home, ".hybridops", "envs", "staging") + Path.DirectorySeparatorChar);
    }

    [Fact]
    public async Task Cli_WithoutRootOptions_UsesHomeDotHybridops()
    {
        var state = await DeployedStateFileAsync();

        state.ShouldStartWith(Path.Combine(Home, ".hybridops", "state") + Path.DirectorySeparatorChar);
    }

    [Fact]
    public async Task Cli_InvalidEnvName_Exits2WithHYO7004()
    {
        var r = await c.RunAsync("module", "deploy", "--module", "platform/onprem/inventory", "--env", "Bad!");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO7004");
        Directory.Exists(Home).ShouldBeFalse();
    }
}
