using System.Text.Json.Nodes;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Gate;

/// <summary>core/shared/manual-gate through the CLI in-process, with the repository's real spec.</summary>
[Collection(CliCollection.Name)]
public sealed class ManualGateTests : IDisposable
{
    private const string Module = "core/shared/manual-gate";
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env;

    public ManualGateTests()
    {
        env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path,
            ["HOME"] = dir.Combine("home"),
        };
    }

    private string Root => dir.Combine("root");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Deploy_WithoutConfirm_IsRefusedWithExit3()
    {
        var nonce = await IssueNonceAsync();

        var r = await DeployAsync($"confirm: false\nconfirm_target: \"pg-lab\"\nconfirm_nonce: \"{nonce}\"");

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO3001");
        LastGuard().ShouldNotBeNull()["confirmed"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Deploy_WithWrongTypedTarget_IsRefusedWithExit3()
    {
        var nonce = await IssueNonceAsync();

        var r = await DeployAsync($"confirm: true\nconfirm_target: \"pg-other\"\nconfirm_nonce: \"{nonce}\"");

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO3002");
    }

    [Fact]
    public async Task Deploy_WithStaleNonce_IsRefusedWithExit3()
    {
        var stale = await IssueNonceAsync();
        var latest = await IssueNonceAsync();
        latest.ShouldNotBe(stale);

        var r = await DeployAsync($"confirm: true\nconfirm_target: \"pg-lab\"\nconfirm_nonce: \"{stale}\"");

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO3003");
    }

    [Fact]
    public async Task Deploy_WithoutAnyIssuedNonce_IsRefusedWithExit3()
    {
        var r = await DeployAsync("confirm: true\nconfirm_target: \"pg-lab\"\nconfirm_nonce: \"0123456789abcdef0123456789abcdef\"");

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO3003");
    }

    [Fact]
    public async Task Deploy_OutsideTheWindow_IsRefusedWithExit3()
    {
        var nonce = await IssueNonceAsync();

        var r = await DeployAsync($"confirm: true\nconfirm_target: \"pg-lab\"\nconfirm_nonce: \"{nonce}\"\nwindow_start: \"2000-01-01T00:00:00Z\"\nwindow_end: \"2000-01-01T02:00:00Z\"");

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO3004");
    }

    [Fact]
    public async Task Deploy_Correct_ConfirmsRecordsTheGuard_AndTheSameNonceIsRefusedNextTime()
    {
        var nonce = await IssueNonceAsync();
        var inputs = $"confirm: true\nconfirm_target: \"pg-lab\"\nconfirm_nonce: \"{nonce}\"\noperator: \"alice\"\nwindow_start: \"2000-01-01T00:00:00Z\"\nwindow_end: \"2999-01-01T00:00:00Z\"";

        var ok = await DeployAsync(inputs);

        ok.ExitCode.ShouldBe(0, ok.ToString());
        var doc = JsonNode.Parse(ok.Stdout)!;
        doc["outputs"]!["confirmed"]!.GetValue<bool>().ShouldBeTrue();
        doc["outputs"]!["confirmed_by"]!.GetValue<string>().ShouldBe("alice");
        doc["outputs"]!["target"]!.GetValue<string>().ShouldBe("pg-lab");
        doc["outputs"]!["nonce"]!.GetValue<string>().ShouldBe(nonce);
        doc["outputs"]!["contract_version"]!.GetValue<string>().ShouldBe("manual-gate/v1");
        var guard = LastGuard().ShouldNotBeNull();
        guard["confirmed"]!.GetValue<bool>().ShouldBeTrue();
        guard["detail"]!["operator"]!.GetValue<string>().ShouldBe("alice");
        guard["detail"]!["nonce"]!.GetValue<string>().ShouldBe(nonce);
        guard["detail"]!["target"]!.GetValue<string>().ShouldBe("pg-lab");
        guard["detail"]!["at"].ShouldNotBeNull();

        var again = await DeployAsync(inputs);

        again.ExitCode.ShouldBe(3, again.ToString());
        again.Stderr.ShouldContain("HYO3003");
    }

    [Fact]
    public async Task Deploy_WithTargetFromState_ComparesAgainstThePublishedOutput()
    {
        dir.Write("root/state/modules/platform__onprem__inventory/latest.json", """
            {"module_ref":"platform/onprem/inventory","status":"ok","action":"deploy","run_id":"r1","updated_at":"2024-01-01T00:00:00Z","inputs_hash":"x","outputs":{"cluster_name":"pg-from-state"}}
            """);
        const string stateInputs = "target_state_ref: \"platform/onprem/inventory\"\ntarget_output_key: \"cluster_name\"\n";
        var status = await RunWithInputsAsync("status", "gate_id: \"failback-maintenance-window\"\n" + stateInputs);
        status.ExitCode.ShouldBe(0, status.ToString());
        var nonce = JsonNode.Parse(status.Stdout)!["outputs"]!["nonce"]!.GetValue<string>();

        var wrong = await RunWithInputsAsync("deploy", $"gate_id: \"failback-maintenance-window\"\n{stateInputs}confirm: true\nconfirm_target: \"pg-lab\"\nconfirm_nonce: \"{nonce}\"");
        wrong.ExitCode.ShouldBe(3, wrong.ToString());

        var ok = await RunWithInputsAsync("deploy", $"gate_id: \"failback-maintenance-window\"\n{stateInputs}confirm: true\nconfirm_target: \"pg-from-state\"\nconfirm_nonce: \"{nonce}\"");
        ok.ExitCode.ShouldBe(0, ok.ToString());
    }

    private async Task<string> IssueNonceAsync()
    {
        var r = await RunWithInputsAsync("status", "gate_id: \"failback-maintenance-window\"\nexpected_target: \"pg-lab\"");
        r.ExitCode.ShouldBe(0, r.ToString());
        var nonce = JsonNode.Parse(r.Stdout)!["outputs"]!["nonce"]!.GetValue<string>();
        nonce.Length.ShouldBe(32);
        return nonce;
    }

    private Task<CliResult> DeployAsync(string inputs) =>
        RunWithInputsAsync("deploy", "gate_id: \"failback-maintenance-window\"\nexpected_target: \"pg-lab\"\n" + inputs);

    private Task<CliResult> RunWithInputsAsync(string action, string yaml)
    {
        var file = dir.Write($"inputs-{Guid.NewGuid():N}.yml", yaml);
        return CliRunner.RunAsync(env, "--root", Root, "--output", "json", "module", action, "--module", Module, "--inputs", file);
    }

    private JsonObject? LastGuard()
    {
        // Run ids are second-granular: pick the newest record that has a guard entry, not the newest name.
        var logs = Path.Combine(Root, "logs", "module", "core__shared__manual-gate");
        return Directory.GetDirectories(logs)
            .OrderBy(Directory.GetCreationTimeUtc).ThenBy(d => d, StringComparer.Ordinal)
            .Select(d => File.ReadAllLines(Path.Combine(d, "record.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject())
                .LastOrDefault(o => o["type"]!.GetValue<string>() == "guard")?["data"]?.AsObject())
            .LastOrDefault(g => g is not null);
    }
}
