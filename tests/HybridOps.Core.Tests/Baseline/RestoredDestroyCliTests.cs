using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Baseline;

/// <summary>
/// `module destroy` of a restored cluster finds its hosts through the hosts contract the restore recorded,
/// instance included: with the recorded instance gone it refuses (HYO2002) before anything is contacted,
/// and never falls back to another instance of the same module (whose hosts are other hosts).
/// </summary>
[Collection(CliCollection.Name)]
public sealed class RestoredDestroyCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public RestoredDestroyCliTests()
    {
        var states = new StateStore(Root, new Redactor());
        states.Write(State("platform/onprem/postgresql-ha", "one", "postgresql-ha/v1", new JsonObject
        {
            ["cluster_name"] = "bench-one", ["apply_mode"] = "restore", ["data_root"] = "/var/lib/postgresql/hyops",
            ["hosts_source"] = "org/gcp/dr-hosts#one", ["restored_from"] = new JsonObject { ["stanza"] = "prod-pg" },
            ["members"] = new JsonArray(new JsonObject { ["name"] = "dr1", ["host"] = "192.0.2.21" }),
        }));

        // The default instance of the same module: other hosts (nothing listens there).
        states.Write(State("org/gcp/dr-hosts", null, "dr-hosts/v1", new JsonObject
        {
            ["data_root"] = "/var/lib/postgresql/hyops", ["dcs"] = new JsonObject { ["endpoints"] = new JsonArray("http://192.0.2.9:2379") },
            ["client_networks"] = new JsonArray("192.0.2.0/24"),
            ["hosts"] = new JsonArray(new JsonObject { ["name"] = "dr1", ["host"] = "192.0.2.31", ["ssh"] = new JsonObject { ["transport"] = "ssh", ["user"] = "hyops" } }),
        }));
    }

    private string Root => dir.Combine("root");

    private Dictionary<string, string> Env => new()
    {
        ["HOME"] = dir.Combine("home"),
        ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path,
        ["HYOPS_VAULT_PASSWORD"] = "test-vault",
    };

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Destroy_WhenTheRecordedHostsInstanceIsGone_IsRefusedNamingIt_AndTheStateStaysAsItWas()
    {
        var file = Path.Combine(Root, "state", "modules", "platform__onprem__postgresql-ha", "instances", "one.json");
        var before = File.ReadAllText(file);

        var inputs = dir.Write("destroy.json", new JsonObject { ["inventory_state_ref"] = "" }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "module", "destroy", "--module", "platform/onprem/postgresql-ha", "--instance", "one", "--inputs", inputs);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2002");
        r.Stderr.ShouldContain("org/gcp/dr-hosts#one");
        r.Stderr.ShouldNotContain("192.0.2.31");
        File.ReadAllText(file).ShouldBe(before);
    }

    private static ModuleState State(string moduleRef, string? instance, string contract, JsonObject outputs)
    {
        outputs["contract_version"] = contract;
        return new ModuleState
        {
            ModuleRef = moduleRef, Instance = instance, Status = StateStatus.Ok, Action = "deploy", RunId = "test", UpdatedAt = DateTimeOffset.UnixEpoch,
            ContractVersion = contract, Outputs = outputs,
        };
    }
}
