using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
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

    [Fact]
    public async Task Destroy_WhenTheRecordedHostsInstanceIsGone_IsRefusedNamingIt_AndTheStateStaysAsItWas()
    {
        // A restored cluster whose hosts contract was org/gcp/dr-hosts#one, which is gone; the default instance of
        // the same module names other hosts (nothing listens there), which the destroy must never fall back to.
        var root = dir.Combine("root");
        var states = new StateStore(root, new Redactor());
        states.Write(TestStates.Ok("platform/onprem/postgresql-ha", "one", "postgresql-ha/v1", new JsonObject
        {
            ["cluster_name"] = "bench-one", ["apply_mode"] = "restore", ["data_root"] = "/var/lib/postgresql/hyops",
            ["hosts_source"] = "org/gcp/dr-hosts#one", ["restored_from"] = new JsonObject { ["stanza"] = "prod-pg" },
            ["members"] = new JsonArray(new JsonObject { ["name"] = "dr1", ["host"] = "192.0.2.21" }),
        }));
        states.Write(TestStates.Ok("org/gcp/dr-hosts", null, "dr-hosts/v1", new JsonObject
        {
            ["data_root"] = "/var/lib/postgresql/hyops", ["dcs"] = new JsonObject { ["endpoints"] = new JsonArray("http://192.0.2.9:2379") },
            ["client_networks"] = new JsonArray("192.0.2.0/24"),
            ["hosts"] = new JsonArray(new JsonObject { ["name"] = "dr1", ["host"] = "192.0.2.31", ["ssh"] = new JsonObject { ["transport"] = "ssh", ["user"] = "hyops" } }),
        }));
        var file = Path.Combine(root, "state", "modules", "platform__onprem__postgresql-ha", "instances", "one.json");
        var before = File.ReadAllText(file);
        var inputs = dir.Write("destroy.json", new JsonObject { ["inventory_state_ref"] = "" }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", root, "module", "destroy", "--module", "platform/onprem/postgresql-ha", "--instance", "one", "--inputs", inputs);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2002");
        r.Stderr.ShouldContain("org/gcp/dr-hosts#one");
        r.Stderr.ShouldNotContain("192.0.2.31");
        File.ReadAllText(file).ShouldBe(before);
    }
}
