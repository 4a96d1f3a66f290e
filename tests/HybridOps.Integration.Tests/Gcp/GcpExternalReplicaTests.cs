using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// org/gcp/cloudsql-external-replica with provider gcp on a lab of hosts (block 5) and the fake
/// (127.0.245, instances real on 127.0.243 of this machine, so they reach the source from the lab
/// bridge's address, the one address its allowlist names): establish creates the DMS SOURCE profile from the DR
/// source contract and a CONTINUOUS job walked to CDC, status proves the standby refuses a client
/// write, destroy removes job and profile and keeps the standby; no DR password, key or token
/// anywhere but in the Cloud. The fake's job moves no data (docs/gcp.md).
/// </summary>
public sealed class GcpExternalReplicaTests : IAsyncLifetime
{
    private const string DrPassword = "dr-ext-Pw-8b31c0";
    private readonly Site site = Site.OnHosts(5);
    private GcpFakeSite gcp = null!;

    private FakeGoogleCloud Cloud => gcp.Fake;

    public async Task InitializeAsync()
    {
        gcp = new GcpFakeSite(site);
        site.Environment["HYOPS_DR_REPLICATION_PASSWORD"] = DrPassword;
        await site.StartAsync();
        (await RunAsync("deploy", "platform/onprem/postgresql-ha", [])).ExitCode.ShouldBe(0);
        var source = await RunAsync("deploy", "platform/onprem/postgresql-dr-source", new JsonObject
        {
            ["source_databases"] = new JsonArray("postgres"),
            ["allowed_consumer_cidrs"] = new JsonArray(site.BridgeAddress + "/32"),
        });
        source.ExitCode.ShouldBe(0, source.ToString());
    }

    public async Task DisposeAsync()
    {
        await gcp.DisposeAsync();
        await site.DisposeAsync();
    }

    private Task<CliResult> RunAsync(string action, string module, JsonObject inputs) => gcp.ModuleAsync(action, module, inputs);

    private JsonObject GcpInputs() => gcp.GcpInputs();

    [Fact]
    public async Task TheStandbyBlueprint_RunsEndToEndWithProviderGcp_ByInputsOnly()
    {
        var inputs = site.WriteInputs("standby-gcp.json", new JsonObject
        {
            ["dr_source"] = new JsonObject { ["allowed_consumer_cidrs"] = new JsonArray(site.BridgeAddress + "/32") },
            ["managed_instance"] = new JsonObject { ["provider"] = "gcp", ["inventory_state_ref"] = "", ["authorized_networks"] = new JsonArray("127.0.0.1/32"), ["gcp"] = GcpInputs() },
        });
        var r = await gcp.RunAsync("blueprint", "deploy", "--ref", "dr/postgresql-cloudsql-standby-gcp@v1", "--inputs", inputs);
        r.ExitCode.ShouldBe(0, r.ToString());
        var replica = JsonNode.Parse(File.ReadAllText(site.StatePath("org__gcp__cloudsql-external-replica")))!["outputs"]!;
        replica["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        replica["job_phase"]!.GetValue<string>().ShouldBe("CDC");
        replica["read_only"]!.GetValue<bool>().ShouldBeTrue();
        JsonNode.Parse(File.ReadAllText(site.StatePath("org__gcp__cloudsql-postgresql")))!["outputs"]!["provider"]!.GetValue<string>().ShouldBe("gcp");
        Cloud.Violations.ShouldBeEmpty();
        (await RunAsync("destroy", ManagedSiteHelpers.ReplicaRef, [])).ExitCode.ShouldBe(0);
        gcp.AssertNoSecretAnywhere(DrPassword);
    }

    [Fact]
    public async Task Establish_CreatesTheDmsProfileAndContinuousJob_StatusProvesReadOnly_DestroyKeepsTheStandby()
    {
        var instance = await RunAsync("deploy", ManagedSiteHelpers.InstanceRef, new JsonObject
        {
            ["provider"] = "gcp",
            ["authorized_networks"] = new JsonArray("127.0.0.1/32"),
            ["admin_user"] = "postgres",
            ["admin_password_env"] = "HYOPS_LAB_PG_SUPERUSER_PASSWORD",
            ["gcp"] = GcpInputs(),
        });
        instance.ExitCode.ShouldBe(0, instance.ToString());

        var link = new JsonObject { ["apply_mode"] = "establish" };
        var established = await RunAsync("deploy", ManagedSiteHelpers.ReplicaRef, link);
        established.ExitCode.ShouldBe(0, established.ToString());
        var outputs = JsonNode.Parse(established.StdOut)!["outputs"]!;
        outputs["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        outputs["job_state"]!.GetValue<string>().ShouldBe("RUNNING");
        outputs["job_phase"]!.GetValue<string>().ShouldBe("CDC");
        outputs["read_only"]!.GetValue<bool>().ShouldBeTrue();

        // The SOURCE profile names the DR source leader and its replication role; the password reached DMS only.
        var profile = Cloud.Calls("datamigration", "POST", "/connectionProfiles").Single(c => c.Body!["role"]!.GetValue<string>() == "SOURCE");
        profile.Body!["postgresql"]!["host"]!.GetValue<string>().ShouldBeOneOf(site.Address("pg1"), site.Address("pg2"), site.Address("pg3"));
        profile.Body["postgresql"]!["username"]!.GetValue<string>().ShouldBe("hyops_dr_repl");
        Cloud.DataMigration.SourcePasswords.Values.ShouldBe([DrPassword]);
        Cloud.DataMigration.Jobs["hyops-dr-standby-dr"]["type"]!.GetValue<string>().ShouldBe("CONTINUOUS");

        var status = await RunAsync("status", ManagedSiteHelpers.ReplicaRef, []);
        status.ExitCode.ShouldBe(0, status.ToString());

        var destroyed = await RunAsync("destroy", ManagedSiteHelpers.ReplicaRef, []);
        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        Cloud.DataMigration.Jobs.ShouldBeEmpty();
        Cloud.DataMigration.Profiles.Keys.ShouldBe(["hyops-dr-standby"]);
        Cloud.SqlAdmin.Instances.ContainsKey("hyops-dr-standby").ShouldBeTrue();
        Cloud.Violations.ShouldBeEmpty();

        gcp.AssertNoSecretAnywhere(DrPassword);
    }
}
