using System.Text.Json.Nodes;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Baseline;

/// <summary>Input validation of the restore lane through the real CLI and real specs: refused before anything exists.</summary>
[Collection(CliCollection.Name)]
public sealed class RestoreValidationCliTests : IDisposable
{
    private readonly TempDir dir = new();

    private Dictionary<string, string> Env => new()
    {
        ["HOME"] = dir.Combine("home"),
        ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path,
        ["HYOPS_VAULT_PASSWORD"] = "test-vault",
    };

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task DrHosts_ProviderGcp_IsRefusedWithAClearDiagnostic_AndCreatesNothing()
    {
        var inputs = dir.Write("gcp.json", new JsonObject { ["provider"] = "gcp", ["inventory_state_ref"] = "", ["data_root"] = dir.Combine("site") }.ToJsonString());
        var r = await CliRunner.RunAsync(Env, "--root", dir.Combine("root"), "module", "deploy", "--module", "org/gcp/dr-hosts", "--inputs", inputs);
        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2020");
        r.Stderr.ShouldContain("provider gcp is not available in this build");
        Directory.Exists(dir.Combine("site")).ShouldBeFalse();
        Directory.Exists(Path.Combine(dir.Combine("root"), "state", "modules", "org__gcp__dr-hosts")).ShouldBeFalse();
    }

    [Fact]
    public async Task Restore_WithABadTarget_IsAnInputError()
    {
        var inputs = dir.Write("bad.json", new JsonObject
        {
            ["apply_mode"] = "restore", ["inventory_state_ref"] = "", ["cluster_name"] = "gcp-dr-pg", ["restore_target"] = "yesterday", ["restore_confirm"] = "gcp-dr-pg",
        }.ToJsonString());
        var r = await CliRunner.RunAsync(Env, "--root", dir.Combine("root"), "module", "deploy", "--module", "platform/onprem/postgresql-ha", "--instance", "gcp-dr", "--inputs", inputs);
        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2021");
    }

    [Fact]
    public async Task Restore_WithoutClusterName_IsAnInputError()
    {
        var inputs = dir.Write("noname.json", new JsonObject { ["apply_mode"] = "restore", ["inventory_state_ref"] = "" }.ToJsonString());
        var r = await CliRunner.RunAsync(Env, "--root", dir.Combine("root"), "module", "deploy", "--module", "platform/onprem/postgresql-ha", "--inputs", inputs);
        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("cluster_name");
    }
}
