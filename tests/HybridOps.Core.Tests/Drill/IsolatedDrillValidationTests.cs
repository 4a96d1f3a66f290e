using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

namespace HybridOps.Core.Tests.Drill;

/// <summary>
/// Input validation of the isolated drill through the real CLI and real specs: every refusal carries its
/// HYO74xx code and comes before anything changes (no state written, nothing contacted: the published
/// production leader is an address nothing listens on).
/// </summary>
[Collection(CliCollection.Name)]
public sealed class IsolatedDrillValidationTests : IDisposable
{
    private const string Blueprint = "dr/postgresql-ha-isolated-drill-gcp@v1";
    private readonly TempDir dir = new();

    public IsolatedDrillValidationTests()
    {
        var states = new StateStore(Root, new Redactor());
        states.Write(TestStates.Ok("platform/onprem/postgresql-ha", null, "postgresql-ha/v1", new JsonObject
        {
            ["cluster_name"] = "prod-pg", ["system_identifier"] = "7300000000000000001", ["leader_name"] = "pg1", ["leader_host"] = "127.0.0.1", ["leader_port"] = 9,
            ["db_user"] = "postgres", ["db_password_env"] = "PROD_PG_PASSWORD", ["ready"] = true,
            ["members"] = new JsonArray(Member("pg1", "192.0.2.11"), Member("pg2", "192.0.2.12")),
        }));
        states.Write(TestStates.Ok("org/gcp/dr-hosts", "drill", "dr-hosts/v1", new JsonObject
        {
            ["data_root"] = "/var/lib/postgresql/hyops", ["dcs"] = new JsonObject { ["endpoints"] = new JsonArray("http://127.0.0.1:9") }, ["client_networks"] = new JsonArray("192.0.2.0/24"),
            ["hosts"] = new JsonArray(DrHost("dr1", "192.0.2.21"), DrHost("pg2", "192.0.2.12")),
        }));
        states.Write(TestStates.Ok("org/gcp/object-repo", null, "object-repo/v1", new JsonObject { ["pgbackrest_options"] = new JsonObject { ["repo1-type"] = "posix", ["repo1-path"] = "/nonexistent" } }));
        states.Write(TestStates.Ok("platform/onprem/postgresql-ha-backup", null, "postgresql-ha-backup/v1", new JsonObject { ["stanza"] = "prod-pg" }));
        states.Write(TestStates.Ok("platform/onprem/postgresql-drill", "marker", "postgresql-drill/v1", new JsonObject
        {
            ["apply_mode"] = "marker", ["restore_point"] = "hyops-drill-1", ["created_at"] = "2026-12-01T10:00:00Z", ["source_cluster_name"] = "prod-pg",
            ["source_members"] = new JsonArray("192.0.2.11", "192.0.2.12"),
        }));
    }

    private static JsonObject DrHost(string name, string host) => new()
    {
        ["name"] = name, ["host"] = host, ["ssh"] = new JsonObject { ["transport"] = "ssh", ["user"] = "hyops" },
    };

    private string Root => dir.Combine("root");

    private Dictionary<string, string> Env => new()
    {
        ["HOME"] = dir.Combine("home"),
        ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path,
        ["HYOPS_VAULT_PASSWORD"] = "test-vault",
        ["PROD_PG_PASSWORD"] = "not-used",
    };

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("name:hyops-drill-20261201t120000z-abc123")]
    [InlineData("name:nightly.1")]
    public void RestoreTarget_Name_StopsAtTheRestorePoint(string text)
    {
        var target = RestoreTarget.Parse(text);
        target.ToString().ShouldBe(text);
        target.RecoverySettings().ShouldBe(new Dictionary<string, string> { ["recovery_target_name"] = text[5..] });
    }

    [Theory]
    [InlineData("name:")]
    [InlineData("name:Nightly")]
    [InlineData("name:a b")]
    [InlineData("name:-dash-first")]
    [InlineData("name:x'; drop table t; --")]
    public void RestoreTarget_Name_WithABadRestorePointName_IsHYO7401(string text)
    {
        var ex = Should.Throw<HyopsException>(() => RestoreTarget.Parse(text));
        ex.Diagnostics[0].Code.ShouldBe("HYO7401");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
        Should.Throw<HyopsException>(() => RestoreTarget.Named(new string('a', 64), null)).Diagnostics[0].Code.ShouldBe("HYO7401");
    }

    [Theory]
    [InlineData("restore_point", "Drill Point!", "HYO7401", 2)]
    [InlineData("manifest_tables", "[\"orders\"]", "HYO7402", 2)]
    [InlineData("marker_table", "public.\"Marker\"", "HYO7402", 2)]
    [InlineData("lock_timeout_ms", "0", "HYO7402", 2)]
    [InlineData("drill_confirm", "", "HYO7403", 3)]
    [InlineData("drill_confirm", "other-pg", "HYO7403", 3)]
    public async Task Marker_WithABadInputOrWithoutConfirmation_IsRefused_BeforeProductionIsTouched(string key, string value, string code, int exit)
    {
        var inputs = new JsonObject { ["apply_mode"] = "marker", ["drill_confirm"] = "prod-pg" };
        inputs[key] = value.StartsWith('[') ? JsonNode.Parse(value) : int.TryParse(value, out var n) ? n : value;
        var before = TempDir.Snapshot(dir.Combine("root", "state"));

        var r = await CliRunner.RunAsync(Env, "--root", Root, "module", "deploy", "--module", "platform/onprem/postgresql-drill", "--instance", "marker2",
            "--inputs", dir.Write("marker.json", inputs.ToJsonString()));

        r.ExitCode.ShouldBe(exit, r.ToString());
        r.Stderr.ShouldContain(code);
        TempDir.Snapshot(dir.Combine("root", "state")).ShouldBe(before);
    }

    [Fact]
    public async Task IsolatedDrill_WithoutDrillConfirm_IsRefusedWithHYO7403_BeforeAnyStepRuns()
    {
        var before = TempDir.Snapshot(dir.Combine("root", "state"));
        var inputs = dir.Write("drill.json", new JsonObject { ["restore_drill"] = new JsonObject { ["restore_confirm"] = "hyops-onprem-drill" } }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "blueprint", "drill", "--ref", Blueprint, "--inputs", inputs);

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO7403");
        r.Stderr.ShouldContain("drill_confirm");
        TempDir.Snapshot(dir.Combine("root", "state")).ShouldBe(before);
        Directory.Exists(Path.Combine(Root, "drills")).ShouldBeFalse();
        Directory.Exists(Path.Combine(Root, "logs", "blueprint")).ShouldBeFalse();
    }

    [Fact]
    public async Task IsolatedDrill_WithoutRestoreConfirm_IsRefusedByTheBlueprintsGuards_BeforeTheMarker()
    {
        var inputs = dir.Write("drill.json", new JsonObject { ["marker"] = new JsonObject { ["drill_confirm"] = "prod-pg" } }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "blueprint", "drill", "--ref", Blueprint, "--inputs", inputs);

        r.ExitCode.ShouldBe(3, r.ToString());
        r.ToString().ShouldContain("restore_confirm");
        new StateStore(Root, new Redactor()).Read("platform/onprem/postgresql-drill", "marker")!.RunId.ShouldBe("test", "the marker step never ran");
    }

    [Fact]
    public async Task IsolatedDrill_WithADisaster_IsRefusedWithHYO7412()
    {
        var inputs = dir.Write("drill.json", new JsonObject { ["marker"] = new JsonObject { ["drill_confirm"] = "prod-pg" } }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "blueprint", "drill", "--ref", Blueprint, "--inputs", inputs, "--disaster", "onprem-site");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO7412");
    }

    [Theory]
    [InlineData("prod-pg", "dr1", "HYO7404")]
    [InlineData("prod-pg-drill", "pg2", "HYO7404")]
    public async Task DrillRestore_OnProductionsScopeOrHost_IsRefusedWithHYO7404(string clusterName, string host, string code)
    {
        var states = new StateStore(Root, new Redactor());
        var hosts = states.Read("org/gcp/dr-hosts", "drill")!;
        var only = hosts.Outputs.DeepClone().AsObject();
        only["hosts"] = new JsonArray(hosts.Outputs["hosts"]!.AsArray().First(h => h!["name"]!.GetValue<string>() == host)!.DeepClone());
        states.Write(hosts with { Outputs = only, RunId = "test2" });
        var inputs = dir.Write("restore.json", new JsonObject
        {
            ["apply_mode"] = "restore", ["hosts_state_ref"] = "org/gcp/dr-hosts#drill", ["repo_state_ref"] = "org/gcp/object-repo",
            ["backup_state_ref"] = "platform/onprem/postgresql-ha-backup", ["restore_point_state_ref"] = "platform/onprem/postgresql-drill#marker",
            ["restore_target"] = "name", ["cluster_name"] = clusterName, ["restore_confirm"] = clusterName, ["inventory_state_ref"] = "",
        }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "module", "deploy", "--module", "platform/onprem/postgresql-ha", "--instance", "drill", "--inputs", inputs);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain(code);
        File.Exists(states.PathOf("platform/onprem/postgresql-ha", "drill")).ShouldBeFalse();
    }

    [Fact]
    public async Task DrillTeardown_OfAClusterNotRestoredByADrill_IsRefusedWithHYO7405_AndTheStateIsKept()
    {
        var states = new StateStore(Root, new Redactor());
        states.Write(TestStates.Ok("platform/onprem/postgresql-ha", "gcp-dr", "postgresql-ha/v1", new JsonObject
        {
            ["cluster_name"] = "gcp-dr-pg", ["data_root"] = "/var/lib/postgresql/hyops", ["restored_from"] = new JsonObject { ["stanza"] = "prod-pg" },
            ["members"] = new JsonArray(Member("dr1", "192.0.2.21")),
        }));
        var before = await File.ReadAllBytesAsync(states.PathOf("platform/onprem/postgresql-ha", "gcp-dr"));
        var inputs = dir.Write("teardown.json", new JsonObject { ["apply_mode"] = "restore", ["drill_teardown"] = true, ["inventory_state_ref"] = "" }.ToJsonString());

        var r = await CliRunner.RunAsync(Env, "--root", Root, "module", "destroy", "--module", "platform/onprem/postgresql-ha", "--instance", "gcp-dr", "--inputs", inputs);

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO7405");
        (await File.ReadAllBytesAsync(states.PathOf("platform/onprem/postgresql-ha", "gcp-dr"))).ShouldBe(before);
    }

    [Fact]
    public async Task History_ListsAnIsolatedDrill_AsIsolated_WithItsFigures()
    {
        var report = TestDrillReport.Make(Root, Blueprint, "i1", DateTimeOffset.UnixEpoch.AddYears(56), null) with
        {
            Status = "ok", DrillKind = "isolated",
            Isolated = new HybridOps.Core.Drill.IsolatedDrillFigures
            {
                RestorePoint = "hyops-drill-i1", ManifestTables = 3, ManifestMatched = true, AmcheckClean = true, MarkerRowFound = true,
                WritesBlockedMs = 21.3, RestoreSeconds = 2.4, ReplaySeconds = 1, TimeToWritableSeconds = 5.7, TornDown = true, ProductionStateUnchanged = true,
            },
        };
        HybridOps.Cli.Drill.DrillReports.Write(Root, new Redactor(), TimeProvider.System, report);

        var r = await CliRunner.RunAsync(Env, "--root", Root, "drill", "history");
        var json = await CliRunner.RunAsync(Env, "--root", Root, "--output", "json", "drill", "history");

        r.ExitCode.ShouldBe(0, r.ToString());
        r.Stdout.ShouldContain("isolated: writes blocked 21.300 ms, restore 2.400 s, replay 1.000 s, writable 5.700 s, manifest ok, amcheck clean");
        var entry = JsonNode.Parse(json.Stdout)!["drills"]![0]!;
        entry["drill_kind"]!.GetValue<string>().ShouldBe("isolated");
        entry["isolated"]!["writes_blocked_ms"]!.GetValue<double>().ShouldBe(21.3);
        var md = await File.ReadAllTextAsync(Path.Combine(report.ReportDir!, "report.md"));
        md.ShouldContain("ISOLATED drill: production kept running");
        md.ShouldNotContain("RTO");
        (await File.ReadAllTextAsync(Path.Combine(report.ReportDir!, "report.html"))).ShouldContain("production writers blocked 21.3 ms");
    }

    [Fact]
    public void AnIsolatedDrill_NeverProvesTheFailoverOption_ForTheDecisionService()
    {
        using var other = new TempDir();
        var root = other.Combine("root");
        var states = new StateStore(root, new Redactor());
        HybridOps.Core.Tests.Dr.DrTestFacts.WriteState(states);
        var isolated = HybridOps.Core.Tests.Dr.DrTestFacts.RestoreDrill(root, "i1", HybridOps.Core.Tests.Dr.DrTestFacts.Now.AddDays(-1), HybridOps.Core.Dr.DrOptionCatalog.Repo1StateRef) with
        {
            BlueprintRef = Blueprint, BlueprintId = Blueprint.Replace("/", "__", StringComparison.Ordinal), DrillKind = "isolated",
            Isolated = new HybridOps.Core.Drill.IsolatedDrillFigures { ManifestMatched = true, AmcheckClean = true, TornDown = true, ProductionStateUnchanged = true },
        };
        var option = HybridOps.Core.Dr.DrOptionCatalog.Standard(states).Single(o => o.Id == HybridOps.Core.Dr.DrOption.RestoreRepo1);

        var status = HybridOps.Core.Dr.DrEvaluator.Evaluate(option, HybridOps.Core.Dr.DrStateFacts.Read(states, option), [isolated], new HybridOps.Core.Dr.DrPolicy(), HybridOps.Core.Tests.Dr.DrTestFacts.Now);

        // It proves the backup restores consistently; it measures no RTO through a published endpoint, so the option stays unproven.
        status.NotProven.ShouldBeTrue();
        status.Reasons.ShouldBe([HybridOps.Core.Dr.DrEvaluator.NeverDrilled]);
    }

    private static JsonObject Member(string name, string host) => new() { ["name"] = name, ["host"] = host, ["port"] = 5432, ["api_url"] = $"http://{host}:8008" };
}
