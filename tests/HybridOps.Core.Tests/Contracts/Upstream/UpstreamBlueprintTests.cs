using System.Text.Json.Nodes;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Contracts.Upstream;

/// <summary>Upstream-shaped blueprints (fixtures of our own, in upstream's format) validate, plan and fail as documented.</summary>
[Collection(CliCollection.Name)]
public sealed class UpstreamBlueprintTests
{
    private const string Failover = "dr/upstream-failover-gcp@v1";

    [Fact]
    public async Task UpstreamFailoverBlueprint_UsingPlatformPostgresqlHa_Validates_WithWarningsForWhatIsIgnored()
    {
        using var c = UpstreamContent.With(Failover, "failover-gcp.blueprint.yml");

        var r = await c.RunAsync("--output", "json", "blueprint", "validate", "--ref", Failover);

        r.ExitCode.ShouldBe(0, r.ToString());
        var warnings = JsonNode.Parse(r.Stdout)!["warnings"]!.AsArray().Select(w => w!["code"]!.GetValue<string>()).ToList();
        warnings.Count(w => w == "HYO1032").ShouldBe(2, r.ToString()); // wan-cloud-nat, platform-vm: provided outside hyops
        warnings.ShouldContain("HYO1031", r.ToString());                // with_deps, contracts, retain_on_destroy, ipam_authority
        warnings.ShouldNotContain("HYO1030", r.ToString());             // nothing unknown: every field is hyops' or upstream's
        r.Stderr.ShouldContain("'org/gcp/wan-cloud-nat' is provided outside hyops", Case.Sensitive, r.ToString());
    }

    [Fact]
    public async Task UpstreamFailoverBlueprint_Plans_WithCanonicalRefsResolved_OutsideSteps_AndGuards()
    {
        using var c = UpstreamContent.With(Failover, "failover-gcp.blueprint.yml");

        var r = await c.RunAsync("--root", c.Root, "--output", "json", "blueprint", "plan", "--ref", Failover);

        r.ExitCode.ShouldBe(0, r.ToString());
        var steps = JsonNode.Parse(r.Stdout)!["steps"]!.AsArray().Select(s => s!.AsObject()).ToDictionary(s => s["id"]!.GetValue<string>());
        steps["dr_egress"]["decision"]!.GetValue<string>().ShouldBe("outside");
        steps["dr_vms"]["decision"]!.GetValue<string>().ShouldBe("outside");
        steps["dr_vms"]["action"]!.GetValue<string>().ShouldBe("deploy"); // upstream `apply`
        steps["restore"]["module_ref"]!.GetValue<string>().ShouldBe("platform/onprem/postgresql-ha");
        steps["backup_config"]["module_ref"]!.GetValue<string>().ShouldBe("platform/onprem/postgresql-ha-backup");
        var guard = steps["restore"]["guards"]!.AsArray().ShouldHaveSingleItem()!;
        guard["input"]!.GetValue<string>().ShouldBe("restore_confirm");
        guard["satisfied"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task UpstreamFailoverBlueprint_FailsStrictValidate_NamingEveryIgnoredField()
    {
        using var c = UpstreamContent.With(Failover, "failover-gcp.blueprint.yml");

        var r = await c.RunAsync("blueprint", "validate", "--ref", Failover, "--strict");

        r.ExitCode.ShouldBe(2, r.ToString());
        foreach (var field in new[] { "policy.ipam_authority", "steps[dr_egress].with_deps", "steps[dr_vms].contracts", "steps[backup_config].retain_on_destroy" })
        {
            r.Stderr.ShouldContain($"field '{field}' is an upstream HybridOps field", Case.Sensitive, r.ToString());
        }
    }

    [Fact]
    public async Task GateStepWithAMisspelledInput_FailsValidate_NamingStepAndInput_WithDidYouMean()
    {
        using var c = UpstreamContent.With("dr/upstream-gate-typo@v1", "gate-typo.blueprint.yml");

        var r = await c.RunAsync("blueprint", "validate", "--ref", "dr/upstream-gate-typo@v1");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("blueprint.yml:11:", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1034: step 'promote_gate': input 'gate_name' is not an input of module 'core/shared/manual-gate' (did you mean 'gate_id'?)", Case.Sensitive, r.ToString());
        r.Stderr.ShouldContain("HYO1035: step 'promote_gate': required input 'gate_id'", Case.Sensitive, r.ToString());
    }

    [Fact]
    public async Task StepMissingARequiredInput_FailsValidateAndPlan_NamingStepAndInput()
    {
        using var c = UpstreamContent.With("dr/upstream-backup-missing@v1", "backup-missing-input.blueprint.yml");

        var validate = await c.RunAsync("blueprint", "validate", "--ref", "dr/upstream-backup-missing@v1");
        var plan = await c.RunAsync("--root", c.Root, "blueprint", "plan", "--ref", "dr/upstream-backup-missing@v1");

        foreach (var r in new[] { validate, plan })
        {
            r.ExitCode.ShouldBe(2, r.ToString());
            r.Stderr.ShouldContain("blueprint.yml:11:", Case.Sensitive, r.ToString());
            r.Stderr.ShouldContain("HYO1035: step 'backup': required input 'repo_state_ref' of module 'platform/onprem/postgresql-ha-backup' is empty", Case.Sensitive, r.ToString());
        }
    }
}
