using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Contracts;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Lanes;

/// <summary>
/// The product-lane boundaries of seed 003 (LAN-*) and seed 001 (MDR-B*), checked on the contracts this
/// repository ships: the baseline lane is the default and uses the named contracts, consumes state refs
/// rather than duplicating bucket names or addresses, and the managed lane never rides on the
/// self-managed restore contracts.
/// </summary>
public sealed partial class LaneBoundaryTests
{
    private const string Failover = "dr/postgresql-ha-failover-gcp@v1";
    private const string Failback = "dr/postgresql-ha-failback-onprem@v1";
    private const string Backup = "dr/postgresql-ha-backup-gcp@v1";
    private readonly ContentRoot content = new(RepoRoot.Path);

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex Ipv4();

    private IEnumerable<BlueprintSpec> Blueprints => content.BlueprintRefs().Select(content.LoadBlueprint);

    [Fact]
    public void LAN_3_1_The_baseline_lane_uses_the_named_contracts()
    {
        var modules = new[] { Backup, Failover, Failback }.SelectMany(r => content.LoadBlueprint(r).Steps.Select(s => s.ModuleRef)).ToHashSet();

        modules.ShouldContain("platform/onprem/postgresql-ha-backup");
        modules.ShouldContain("org/gcp/object-repo");
        content.ModuleRefs().ShouldContain("org/aws/object-repo");
        content.ModuleRefs().ShouldContain("org/azure/object-repo");
        content.LoadBlueprint(Failover).Steps.ShouldContain(s => s.ModuleRef == "platform/onprem/postgresql-ha" && s.Inputs["apply_mode"]!.GetValue<string>() == "restore");
        content.LoadBlueprint(Failback).Steps.ShouldContain(s => s.ModuleRef == "platform/onprem/postgresql-ha" && s.Inputs["apply_mode"]!.GetValue<string>() == "restore");
    }

    [Fact]
    public void LAN_3_2_Baseline_steps_consume_state_refs_and_duplicate_no_bucket_or_address()
    {
        foreach (var bp in new[] { Failover, Failback }.Select(content.LoadBlueprint))
        {
            foreach (var step in bp.Steps)
            {
                var inputs = step.Inputs;
                inputs.ContainsKey("bucket").ShouldBeFalse($"{bp.BlueprintRef} step {step.Id} names a bucket");
                inputs.ContainsKey("local_root").ShouldBeFalse($"{bp.BlueprintRef} step {step.Id}");
                inputs.ContainsKey("target_host").ShouldBeFalse($"{bp.BlueprintRef} step {step.Id} publishes a literal address");
                Ipv4().IsMatch(inputs.ToJsonString()).ShouldBeFalse($"{bp.BlueprintRef} step {step.Id} carries an IP address");
                if (step.ModuleRef is "platform/onprem/postgresql-ha" or "platform/onprem/postgresql-ha-backup" && step.Inputs["apply_mode"]?.GetValue<string>() is "restore" or "configure" or "backup")
                {
                    inputs["repo_state_ref"]!.GetValue<string>().ShouldStartWith("org/gcp/object-repo");
                }
            }
        }

        content.LoadBlueprint(Failover).Steps.Single(s => s.Id == "restore_dr").Inputs["hosts_state_ref"]!.GetValue<string>().ShouldBe("org/gcp/dr-hosts");
        content.LoadBlueprint(Failback).Steps.Single(s => s.Id == "rebuild_onprem").Inputs["hosts_state_ref"]!.GetValue<string>().ShouldBe("platform/onprem/inventory");
    }

    [Fact]
    public void LAN_2_2_LAN_3_3_MDR_B1_B2_B3_Managed_DR_never_rides_on_the_self_managed_restore_contracts()
    {
        var managed = Blueprints.Where(b => b.Steps.Any(s => s.ModuleRef.Contains("cloudsql", StringComparison.Ordinal))).ToList();
        foreach (var bp in managed)
        {
            bp.BlueprintRef.ShouldNotBe(Failover);
            bp.BlueprintRef.ShouldNotBe(Failback);
            bp.BlueprintRef.ShouldContain("cloudsql");
            bp.Steps.ShouldNotContain(s => s.ModuleRef == "platform/onprem/postgresql-ha" && s.Inputs["apply_mode"] != null
                && s.Inputs["apply_mode"]!.GetValue<string>() == "restore", bp.BlueprintRef);
        }

        foreach (var bp in new[] { Failover, Failback, Backup }.Select(content.LoadBlueprint))
        {
            bp.Steps.ShouldNotContain(s => s.ModuleRef.Contains("cloudsql", StringComparison.Ordinal), bp.BlueprintRef);
        }

        var ha = content.LoadModule("platform/onprem/postgresql-ha");
        ha.ApplyModes.ShouldNotContain(m => m.Contains("cloudsql", StringComparison.Ordinal) || m.Contains("managed", StringComparison.Ordinal));
        ha.Defaults.ToJsonString().ShouldNotContain("cloudsql");
        content.ModuleRefs().ShouldContain("org/gcp/cloudsql-postgresql");
        content.ModuleRefs().ShouldContain("org/gcp/cloudsql-external-replica");
        content.ModuleRefs().ShouldContain("platform/onprem/postgresql-dr-source");
    }

    [Fact]
    public void LAN_2_1_MDR_B4_The_baseline_lane_is_the_documented_default_and_the_main_job_runs_it()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));
        readme.ShouldContain("baseline");
        readme.ShouldContain("default");
        var main = File.ReadAllText(Path.Combine(RepoRoot.Path, "scripts", "main.sh"));
        main.ShouldContain(Failover);
        main.ShouldContain(Failback);
        main.ShouldNotContain("cloudsql");
    }

    [Fact]
    public void LAN_5_1_MDR_D2_No_deploy_or_destroy_flow_purges_a_repository()
    {
        foreach (var moduleRef in content.ModuleRefs())
        {
            var spec = content.LoadModule(moduleRef);
            spec.ApplyModes.ShouldNotContain("purge", moduleRef);
            spec.Lifecycle.ShouldNotContain("purge", moduleRef);
        }

        foreach (var bp in Blueprints)
        {
            JsonSerializerText(bp).ShouldNotContain("purge", Case.Insensitive, bp.BlueprintRef);
        }
    }

    private static string JsonSerializerText(BlueprintSpec bp) =>
        new JsonArray([.. bp.Steps.Select(s => (JsonNode?)new JsonObject { ["module_ref"] = s.ModuleRef, ["action"] = s.Action, ["inputs"] = s.Inputs })]).ToJsonString();
}
