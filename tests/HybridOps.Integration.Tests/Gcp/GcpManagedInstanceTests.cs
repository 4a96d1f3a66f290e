using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// org/gcp/cloudsql-postgresql with provider gcp, through the CLI, against the loopback fake
/// (APIs on 127.0.245.1-4) whose instances are real PostgreSQL servers (127.0.243.x, the local
/// provider's machinery): create through a DMS destination profile, adopt, guarded destroy, a 403
/// and an operation error each with their own code and exit, a retried create that stays one instance,
/// and no key, token or password in the runtime root or the output.
/// </summary>
public sealed class GcpManagedInstanceTests : IAsyncLifetime
{
    private const string Password = "gcp-admin-Pw-4c2e81";
    private readonly Site site = Site.WithoutLab();
    private GcpFakeSite gcp = null!;

    private FakeGoogleCloud Cloud => gcp.Fake;

    private LocalPostgresBackend Servers => gcp.Backend;

    public Task InitializeAsync()
    {
        gcp = new GcpFakeSite(site);
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = Password;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await gcp.DisposeAsync();
        await site.DisposeAsync();
    }

    private JsonObject Inputs(JsonObject? extra = null)
    {
        var inputs = new JsonObject
        {
            ["provider"] = "gcp",
            ["inventory_state_ref"] = "",
            ["authorized_networks"] = new JsonArray("127.0.0.1/32"),
            ["gcp"] = gcp.GcpInputs(),
        };
        foreach (var (k, v) in extra ?? [])
        {
            inputs[k] = v?.DeepClone();
        }

        return inputs;
    }

    private Task<CliResult> RunAsync(string action, JsonObject inputs) => gcp.ModuleAsync(action, ManagedSiteHelpers.InstanceRef, inputs);

    private JsonObject State() => JsonNode.Parse(File.ReadAllText(site.StatePath("org__gcp__cloudsql-postgresql")))!.AsObject();

    [Fact]
    public async Task Deploy_CreatesTheStandbyThroughADmsDestinationProfile_ARealServerAnswers_RedeployAdopts_DestroyNeedsTheTypedName()
    {
        var deployed = await RunAsync("deploy", Inputs());
        deployed.ExitCode.ShouldBe(0, deployed.ToString());
        var outputs = JsonNode.Parse(deployed.StdOut)!["outputs"]!;
        outputs["provider"]!.GetValue<string>().ShouldBe("gcp");
        outputs["state"]!.GetValue<string>().ShouldBe("RUNNABLE");
        outputs["role"]!.GetValue<string>().ShouldBe("standby");
        outputs["host"]!.GetValue<string>().ShouldBe("127.0.243.11");
        outputs["provider_location"]!["gcp"]!["project"]!.GetValue<string>().ShouldBe(GcpTestBed.Project);
        outputs["region"]!.GetValue<string>().ShouldBe(GcpTestBed.Region);

        // Created the DMS way: a DESTINATION profile whose cloudsql settings made the instance; admin user via users.insert.
        var create = Cloud.Calls("datamigration", "POST", "/connectionProfiles").ShouldHaveSingleItem();
        create.Body!["role"]!.GetValue<string>().ShouldBe("DESTINATION");
        create.Query["connectionProfileId"].ShouldBe("hyops-dr-standby");
        Cloud.Calls("sqladmin", "POST", "/instances/hyops-dr-standby/users").ShouldHaveSingleItem().Body!["name"]!.GetValue<string>().ShouldBe("hyops_admin");
        Cloud.SqlAdmin.Instances["hyops-dr-standby"]["instanceType"]!.GetValue<string>().ShouldBe("READ_REPLICA_INSTANCE");

        // A real server: the admin logs in and the standby is read-only for a client session.
        var admin = new PgEndpoint("127.0.243.11", 5432, "hyops_admin", Password);
        (await PgProbe.ScalarAsync<string>(admin, "show default_transaction_read_only", CancellationToken.None)).ShouldBe("on");

        // Redeploy finds it (no second create) and reports it unchanged.
        var again = await RunAsync("deploy", Inputs());
        again.ExitCode.ShouldBe(0, again.ToString());
        Cloud.Calls("datamigration", "POST", "/connectionProfiles").Count().ShouldBe(1);

        // The instance exists but hyops lost its state: deploy adopts it (instances.get finds it), no second create.
        File.Delete(site.StatePath("org__gcp__cloudsql-postgresql"));
        var adopted = await RunAsync("deploy", Inputs());
        adopted.ExitCode.ShouldBe(0, adopted.ToString());
        Cloud.Calls("datamigration", "POST", "/connectionProfiles").Count().ShouldBe(1);
        Cloud.SqlAdmin.Instances.Count.ShouldBe(1);

        // ... but not an instance of that name that the inputs do not describe: HYO8008, nothing changed.
        var other = await RunAsync("deploy", Inputs(new JsonObject { ["tier"] = "db-custom-4-15360" }));
        other.ExitCode.ShouldBe(5, other.ToString());
        other.StdErr.ShouldContain("HYO8008");
        Cloud.SqlAdmin.Instances["hyops-dr-standby"]["settings"]!["tier"]!.GetValue<string>().ShouldBe("db-custom-1-3840");

        var refused = await RunAsync("destroy", Inputs());
        refused.ExitCode.ShouldBe(3, refused.ToString());
        refused.StdErr.ShouldContain("HYO3030");
        Cloud.SqlAdmin.Instances.ContainsKey("hyops-dr-standby").ShouldBeTrue();

        var destroyed = await RunAsync("destroy", Inputs(new JsonObject { ["destroy_confirm"] = "hyops-dr-standby" }));
        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        Cloud.SqlAdmin.Instances.ShouldBeEmpty();
        Cloud.DataMigration.Profiles.ShouldBeEmpty();
        Servers.Names.ShouldBeEmpty();
        Cloud.Violations.ShouldBeEmpty();
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task A403_IsHyo8004Exit15_AnOperationError_IsHyo8006Exit5_AndNeitherChangesTheInstance()
    {
        (await RunAsync("deploy", Inputs())).ExitCode.ShouldBe(0);
        var before = Cloud.SqlAdmin.Instances["hyops-dr-standby"].ToJsonString();
        var widened = Inputs(new JsonObject { ["authorized_networks"] = new JsonArray("127.0.0.1/32", "127.0.241.0/24") });

        Cloud.Inject(new FakeFault(FakeFaultKind.Status, "PATCH sqladmin", HttpStatus: 403, RpcStatus: "PERMISSION_DENIED"));
        var denied = await RunAsync("deploy", widened);
        denied.ExitCode.ShouldBe(15, denied.ToString());
        denied.StdErr.ShouldContain("HYO8004");
        denied.StdErr.ShouldContain("403 PERMISSION_DENIED");
        Cloud.SqlAdmin.Instances["hyops-dr-standby"].ToJsonString().ShouldBe(before);
        State()["error"]!["code"]!.GetValue<string>().ShouldBe("HYO8004");

        Cloud.Inject(new FakeFault(FakeFaultKind.OperationError, "PATCH sqladmin"));
        var failed = await RunAsync("deploy", widened);
        failed.ExitCode.ShouldBe(5, failed.ToString());
        failed.StdErr.ShouldContain("HYO8006");
        Cloud.SqlAdmin.Instances["hyops-dr-standby"].ToJsonString().ShouldBe(before);
        State()["error"]!["code"]!.GetValue<string>().ShouldBe("HYO8006");

        // Without a fault the same inputs apply, and the real server's pg_hba follows.
        var ok = await RunAsync("deploy", widened);
        ok.ExitCode.ShouldBe(0, ok.ToString());
        JsonNode.Parse(ok.StdOut)!["outputs"]!["authorized_networks"]!.AsArray().Count.ShouldBe(2);
        File.ReadAllText(Path.Combine(site.Dir, "fake-cloudsql", "instances", "hyops-dr-standby", "data", "pg_hba.conf")).ShouldContain("127.0.241.0/24");
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task ACreateWhoseAnswerWasLost_IsRetriedWithTheSameRequestId_AndLeavesOneInstance()
    {
        Cloud.Inject(new FakeFault(FakeFaultKind.StatusAfterEffect, "POST datamigration", HttpStatus: 503));
        var deployed = await RunAsync("deploy", Inputs());
        deployed.ExitCode.ShouldBe(0, deployed.ToString());
        var creates = Cloud.Calls("datamigration", "POST", "/connectionProfiles").ToList();
        creates.Count.ShouldBe(2);
        creates.Select(c => c.Query["requestId"]).Distinct().ShouldHaveSingleItem();
        Cloud.SqlAdmin.Instances.Keys.ShouldBe(["hyops-dr-standby"]);
        Servers.Names.ShouldBe(["hyops-dr-standby"]);
        var evidence = string.Join("\n", Directory.EnumerateFiles(Path.Combine(site.Root, "logs"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        evidence.ShouldContain("\"attempts\":2");
        AssertNoSecretAnywhere();
    }

    private void AssertNoSecretAnywhere() => gcp.AssertNoSecretAnywhere(Password);
}
