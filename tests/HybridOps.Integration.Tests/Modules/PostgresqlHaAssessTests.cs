using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;

namespace HybridOps.Integration.Tests.Modules;

/// <summary>platform/onprem/postgresql-ha assess against a real 3-member Patroni cluster (shared lab on hosts, reached over SSH).</summary>
[Collection("site")]
[Trait("lab", "hosts")]
public sealed class PostgresqlHaAssessTests(SharedSiteFixture fixture)
{
    private const string ModuleId = "platform__onprem__postgresql-ha";
    private readonly Site site = fixture.Site;

    [Fact]
    public async Task Deploy_PublishesTheSystemIdentifierTheLeaderReports()
    {
        var r = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        r.ExitCode.ShouldBe(0, r.ToString());

        var state = JsonNode.Parse(File.ReadAllText(site.StatePath(ModuleId)))!;
        state["status"]!.GetValue<string>().ShouldBe("ok");
        var outputs = state["outputs"]!;
        var leader = outputs["leader_name"]!.GetValue<string>();
        var fromLeader = await PgProbe.ScalarAsync<long>(site.Endpoint(leader), "select system_identifier from pg_control_system()", CancellationToken.None);
        outputs["system_identifier"]!.GetValue<string>().ShouldBe(fromLeader.ToString(System.Globalization.CultureInfo.InvariantCulture));

        outputs["cluster_name"]!.GetValue<string>().ShouldBe("hyops-onprem");
        outputs["leader_host"]!.GetValue<string>().ShouldBe(site.Address("pg1"));
        outputs["leader_port"]!.GetValue<int>().ShouldBe(5432);
        outputs["wal_level"]!.GetValue<string>().ShouldBe("logical");
        outputs["contract_version"]!.GetValue<string>().ShouldBe("postgresql-ha/v1");
        var members = outputs["members"]!.AsArray();
        members.Count.ShouldBe(3);
        members.Count(m => m!["role"]!.GetValue<string>() == "leader").ShouldBe(1);
        members.ShouldAllBe(m => m!["timeline"]!.GetValue<long>() == outputs["timeline"]!.GetValue<long>());
        members.Select(m => m!["name"]!.GetValue<string>()).Order().ShouldBe(["pg1", "pg2", "pg3"]);
    }

    [Fact]
    public async Task Status_OnAHealthyCluster_ExitsZeroAndChangesNoState()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var before = File.ReadAllText(site.StatePath(ModuleId));

        var r = await site.HyopsAsync("--output", "json", "module", "status", "--module", "platform/onprem/postgresql-ha");

        r.ExitCode.ShouldBe(0, r.ToString());
        var doc = JsonNode.Parse(r.StdOut)!;
        doc["status"]!.GetValue<string>().ShouldBe("ok");
        doc["outputs"]!["leader_name"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        File.ReadAllText(site.StatePath(ModuleId)).ShouldBe(before);
    }

    [Fact]
    public async Task Deploy_WithRejectedCredentials_IsAConfigurationFailureNotConnectivity()
    {
        var env = new Dictionary<string, string>(site.Environment) { ["HYOPS_LAB_PG_SUPERUSER_PASSWORD"] = "not-the-password" };

        var r = await site.HyopsWithAsync(env, "module", "status", "--module", "platform/onprem/postgresql-ha");

        r.ExitCode.ShouldBe(5, r.ToString());
        r.StdErr.ShouldContain("HYO5002");
    }

    [Fact]
    public async Task Secrets_FromTheEnvironment_AppearInNoFileUnderTheRuntimeRoot()
    {
        var r1 = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        var r2 = await site.HyopsAsync("blueprint", "deploy", "--ref", "onprem/postgresql-ha-assess@v1");
        r1.ExitCode.ShouldBe(0, r1.ToString());
        r2.ExitCode.ShouldBe(0, r2.ToString());

        var files = site.RuntimeFiles().ToList();
        files.Count.ShouldBeGreaterThan(10);
        foreach (var (path, text) in files)
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(site.ReplicationPassword, customMessage: path);
        }

        foreach (var output in new[] { r1.StdOut, r1.StdErr, r2.StdOut, r2.StdErr })
        {
            output.ShouldNotContain(site.SuperuserPassword);
        }
    }

    [Fact]
    public async Task Deploy_ReadingAnInventoryOfAnotherContractVersion_FailsClearlyBeforeConnecting()
    {
        var inventory = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__onprem__inventory")))!;
        inventory["outputs"]!["contract_version"] = "onprem-inventory/v0";
        inventory["instance"] = "old";
        Directory.CreateDirectory(Path.GetDirectoryName(site.StatePath("platform__onprem__inventory", "old"))!);
        File.WriteAllText(site.StatePath("platform__onprem__inventory", "old"), inventory.ToJsonString());
        var inputs = Path.Combine(site.Dir, "old-inventory.yml");
        File.WriteAllText(inputs, "inventory_state_ref: \"platform/onprem/inventory#old\"\n");

        var r = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha", "--state-instance", "oldinv", "--inputs", inputs);

        r.ExitCode.ShouldBe(7, r.ToString());
        r.StdErr.ShouldContain("HYO2008");
        File.Exists(site.StatePath(ModuleId, "oldinv")).ShouldBeFalse();
    }
}
