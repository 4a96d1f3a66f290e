using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Drill;

/// <summary>
/// The no-cutover drill's refusals through the real CLI and real specs: each carries its HYO741x code and
/// comes before anything changes (no state written, no drill report, nothing contacted: the published
/// source and standby are addresses nothing listens on).
/// </summary>
[Collection(CliCollection.Name)]
public sealed class NoCutoverDrillValidationTests : IDisposable
{
    private const string Blueprint = "dr/postgresql-cloudsql-promote-drill-gcp@v1";
    private const string Instance = "hyops-dr-standby";
    private readonly TempDir dir = new();

    public NoCutoverDrillValidationTests()
    {
        var states = new StateStore(Root, new Redactor());
        states.Write(State("platform/onprem/inventory", "onprem-inventory/v1", new JsonObject
        {
            ["superuser"] = "postgres", ["superuser_password_env"] = "PROD_PG_PASSWORD", ["members"] = new JsonArray(),
        }));
        states.Write(State("platform/onprem/postgresql-dr-source", "postgresql-dr-source/v1", new JsonObject
        {
            ["source_cluster_name"] = "prod-pg", ["source_host"] = "127.0.0.1", ["source_port"] = 9, ["source_databases"] = new JsonArray("postgres"),
            ["replication_user"] = "hyops_dr_repl", ["replication_password_env"] = "DR_PASSWORD", ["ready"] = true,
        }));
        states.Write(State("org/gcp/cloudsql-postgresql", "cloudsql-postgresql/v1", new JsonObject
        {
            ["provider"] = "local", ["instance_name"] = Instance, ["host"] = "127.0.0.1", ["port"] = 9, ["admin_user"] = "postgres", ["admin_password_env"] = "PROD_PG_PASSWORD",
            ["provider_location"] = new JsonObject { ["provider"] = "local", ["data_root"] = dir.Combine("managed"), ["address_prefix"] = "127.0.0" },
        }));
        states.Write(State("org/gcp/cloudsql-external-replica", "cloudsql-external-replica/v1", new JsonObject { ["target_instance"] = Instance }));
    }

    private string Root => dir.Combine("root");

    private Dictionary<string, string> Env => new()
    {
        ["HOME"] = dir.Combine("home"),
        ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path,
        ["HYOPS_VAULT_PASSWORD"] = "test-vault",
        ["PROD_PG_PASSWORD"] = "not-used",
        ["DR_PASSWORD"] = "not-used",
    };

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task NoCutoverDrill_WithoutDrillConfirm_IsRefusedWithHYO7414_BeforeAnyStepRuns()
    {
        var before = TempDir.Snapshot(dir.Combine("root", "state"));

        var r = await CliRunner.RunAsync(Env, "--root", Root, "blueprint", "drill", "--ref", Blueprint);

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO7414");
        r.Stderr.ShouldContain("drill_confirm");
        TempDir.Snapshot(dir.Combine("root", "state")).ShouldBe(before);
        Directory.Exists(Path.Combine(Root, "drills")).ShouldBeFalse();
        Directory.Exists(Path.Combine(Root, "logs", "blueprint")).ShouldBeFalse();
        Directory.Exists(dir.Combine("managed")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("drill_confirm", "\"other-standby\"", "HYO7414", 3)]
    [InlineData("max_lag_bytes", "-1", "HYO7415", 2)]
    [InlineData("barrier_timeout_s", "0", "HYO7415", 2)]
    [InlineData("catch_up_s", "0", "HYO7415", 2)]
    [InlineData("clone_name", "\"Clone_1\"", "HYO7415", 2)]
    [InlineData("clone_name", "\"" + Instance + "\"", "HYO7415", 2)]
    public async Task NoCutoverDrill_WithABadInputOrTheWrongName_IsRefused_BeforeAnythingChanges(string key, string value, string code, int exit)
    {
        var step = new JsonObject { ["drill_confirm"] = Instance };
        step[key] = JsonNode.Parse(value);
        var inputs = dir.Write("drill.json", new JsonObject { ["no_cutover"] = step }.ToJsonString());
        var before = TempDir.Snapshot(dir.Combine("root", "state", "modules"));

        var r = await CliRunner.RunAsync(Env, "--root", Root, "blueprint", "drill", "--ref", Blueprint, "--inputs", inputs);

        r.ExitCode.ShouldBe(exit, r.ToString());
        r.ToString().ShouldContain(code);
        r.ToString().ShouldContain(key == "drill_confirm" ? Instance : key);
        // The refused blueprint run is recorded (state/blueprints, its run record); no module state changed.
        TempDir.Snapshot(dir.Combine("root", "state", "modules")).ShouldBe(before);
        File.Exists(new StateStore(Root, new Redactor()).PathOf("org/gcp/cloudsql-promote-drill", null)).ShouldBeFalse();
        Directory.Exists(dir.Combine("managed")).ShouldBeFalse("no clone was started");
    }

    [Fact]
    public async Task NoCutoverDrill_WithADisaster_IsRefusedWithHYO7415()
    {
        var inputs = dir.Write("drill.json", new JsonObject { ["no_cutover"] = new JsonObject { ["drill_confirm"] = Instance } }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "blueprint", "drill", "--ref", Blueprint, "--inputs", inputs, "--disaster", "onprem-site");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO7415");
        Directory.Exists(Path.Combine(Root, "drills")).ShouldBeFalse();
    }

    [Fact]
    public async Task History_ListsANoCutoverDrill_WithTheClonesTimeToWritable()
    {
        var report = TestDrillReport.Make(Root, Blueprint, "n1", DateTimeOffset.UnixEpoch.AddYears(56), null) with
        {
            Status = "ok", DrillKind = "no-cutover",
            NoCutover = new HybridOps.Core.Drill.NoCutoverDrillFigures
            {
                InstanceName = Instance, Promotable = true, BarrierSeenSeconds = 0.12, CloneSupported = true, CloneName = Instance + "-drill",
                CloneCopySeconds = 1.5, CloneTimeToWritableSeconds = 0.25, CloneBarrierFound = true, CloneCountsMatched = true, CloneRemoved = true,
                StandbyUnchanged = true, ProductionStateUnchanged = true,
            },
        };
        HybridOps.Cli.Drill.DrillReports.Write(Root, new Redactor(), TimeProvider.System, report);

        var r = await CliRunner.RunAsync(Env, "--root", Root, "drill", "history");
        var json = await CliRunner.RunAsync(Env, "--root", Root, "--output", "json", "drill", "history");

        r.ExitCode.ShouldBe(0, r.ToString());
        r.Stdout.ShouldContain("no-cutover: promotable yes, barrier seen 0.120 s, clone writable 0.250 s, standby unchanged");
        var entry = JsonNode.Parse(json.Stdout)!["drills"]![0]!;
        entry["drill_kind"]!.GetValue<string>().ShouldBe("no-cutover");
        entry["no_cutover"]!["clone_time_to_writable_seconds"]!.GetValue<double>().ShouldBe(0.25);
        var md = await File.ReadAllTextAsync(Path.Combine(report.ReportDir!, "report.md"));
        md.ShouldContain("NO-CUTOVER drill of hyops-dr-standby");
        md.ShouldContain("writable in 0.25 s");
        md.ShouldNotContain("RTO");
    }

    private static ModuleState State(string moduleRef, string contract, JsonObject outputs)
    {
        outputs["contract_version"] = contract;
        return new ModuleState
        {
            ModuleRef = moduleRef, Status = StateStatus.Ok, Action = "deploy", RunId = "test", UpdatedAt = DateTimeOffset.UnixEpoch, ContractVersion = contract, Outputs = outputs,
        };
    }
}
