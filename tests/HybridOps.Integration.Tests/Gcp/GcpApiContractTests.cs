using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Providers.Gcp;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// The typed Google API clients against the loopback fake (127.0.215.1-4): token exchange with a
/// generated key, retry policies, requestId and 409 idempotence, operation errors, budgets, and the
/// documented request shapes (the fake records every undocumented method, query key or body field).
/// </summary>
public sealed class GcpApiContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static JsonObject InstanceBody(string name) => new()
    {
        ["name"] = name,
        ["databaseVersion"] = "POSTGRES_15",
        ["region"] = GcpTestBed.Region,
        ["rootPassword"] = "root-Pw-contract-1",
        ["settings"] = new JsonObject { ["tier"] = "db-custom-1-3840", ["ipConfiguration"] = new JsonObject { ["ipv4Enabled"] = true } },
    };

    [Fact]
    public async Task TheTokenExchange_SignsAJwtWithTheGeneratedKey_ScopedToCloudPlatform_AndIsDoneOnceForManyCalls()
    {
        await using var bed = GcpTestBed.Create();
        (await bed.Apis.SqlAdmin.GetInstanceAsync("absent", None)).ShouldBeNull();
        (await bed.Apis.SqlAdmin.ListFlagsAsync("POSTGRES_15", None)).Count.ShouldBeGreaterThan(0);

        bed.Fake.Token!.Scopes.ShouldBe(["https://www.googleapis.com/auth/cloud-platform"]);
        bed.Fake.Token.Issued.Count.ShouldBe(1);
        bed.Fake.Requests.ShouldAllBe(r => r.Bearer != null && bed.Fake.Token.Issued.Contains(r.Bearer));
        bed.Fake.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task AKeyTheTokenEndpointDoesNotTrust_IsHyo8002_AndNoApiIsCalled()
    {
        await using var bed = GcpTestBed.Create();
        using var other = new ServiceAccountKeyFile(Directory.CreateTempSubdirectory("hyops-gcp-other-").FullName, bed.Fake.TokenUrl, GcpTestBed.Project);
        bed.Fake.TrustKey(other);
        var ex = await Should.ThrowAsync<HyopsException>(() => bed.Apis.SqlAdmin.GetInstanceAsync("x", None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8002");
        ex.ExitCode.ShouldBe(ExitCode.ConnectivityFailure);
        ex.Message.ShouldContain("invalid_grant");
        bed.Fake.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task AMissingKeyFile_IsHyo8001_Exit12()
    {
        await using var bed = GcpTestBed.Create();
        using var apis = new GcpApis(GcpTestBed.Settings(bed.Fake), new ServiceAccountTokenSource(() => Path.Combine(bed.Dir, "nope.json"), TimeProvider.System), TimeProvider.System);
        var ex = await Should.ThrowAsync<HyopsException>(() => apis.SqlAdmin.GetInstanceAsync("x", None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8001");
        ex.ExitCode.ShouldBe(ExitCode.SecretUnavailable);
    }

    [Fact]
    public async Task Transient503And429_AreRetriedByTheReadPolicy_UntilTheCallSucceeds()
    {
        await using var bed = GcpTestBed.Create();
        bed.Fake.Inject(new FakeFault(FakeFaultKind.Status, "GET sqladmin /v1/flags", Times: 1, HttpStatus: 503));
        bed.Fake.Inject(new FakeFault(FakeFaultKind.Status, "GET sqladmin /v1/flags", Times: 1, HttpStatus: 429, RpcStatus: "RESOURCE_EXHAUSTED"));
        (await bed.Apis.SqlAdmin.ListFlagsAsync("POSTGRES_15", None)).Count.ShouldBeGreaterThan(0);
        bed.Fake.Calls("sqladmin", "GET", "/v1/flags").Count().ShouldBe(3);
        bed.Apis.SqlAdmin.Client.Calls.Single().Attempts.ShouldBe(3);
    }

    [Fact]
    public async Task A403_IsHyo8004_Exit15_QuotingTheApiError_AndIsNotRetried()
    {
        await using var bed = GcpTestBed.Create();
        bed.Fake.Inject(new FakeFault(FakeFaultKind.Status, "POST sqladmin /v1/projects/hyops-test-project/instances", HttpStatus: 403, RpcStatus: "PERMISSION_DENIED"));
        var ex = await Should.ThrowAsync<GcpApiException>(() => bed.Apis.SqlAdmin.InsertInstanceAsync(InstanceBody("denied"), None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8004");
        ex.ExitCode.ShouldBe(ExitCode.PermissionDenied);
        ((int)ex.ExitCode).ShouldBe(15);
        ex.Message.ShouldContain("403 PERMISSION_DENIED");
        bed.Fake.Calls("sqladmin", "POST", "/instances").Count().ShouldBe(1);
        bed.Fake.SqlAdmin.Instances.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnOperationThatEndsWithAnError_IsHyo8006_Exit5_QuotingTheOperationError()
    {
        await using var bed = GcpTestBed.Create();
        bed.Fake.Inject(new FakeFault(FakeFaultKind.OperationError, "POST sqladmin /v1/projects/hyops-test-project/instances"));
        var op = (await bed.Apis.SqlAdmin.InsertInstanceAsync(InstanceBody("failing"), None))!;
        var ex = await Should.ThrowAsync<HyopsException>(() => bed.Apis.SqlAdmin.WaitAsync(op, None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8006");
        ex.ExitCode.ShouldBe(ExitCode.ConfigurationFailure);
        ex.Message.ShouldContain("INTERNAL_ERROR");
        ex.Message.ShouldContain(op["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task ACreateRetriedAfterItTookEffect_Gets409_WhichTheClientHandsBackForAdoption()
    {
        await using var bed = GcpTestBed.Create();
        bed.Fake.Inject(new FakeFault(FakeFaultKind.StatusAfterEffect, "POST sqladmin /v1/projects/hyops-test-project/instances", HttpStatus: 503));
        (await bed.Apis.SqlAdmin.InsertInstanceAsync(InstanceBody("twice"), None)).ShouldBeNull();
        bed.Fake.Calls("sqladmin", "POST", "/instances").Count().ShouldBe(2);
        bed.Fake.SqlAdmin.Instances.Keys.ShouldBe(["twice"]);
    }

    [Fact]
    public async Task ADmsCreateRetriedWithItsRequestId_IsIgnoredByTheServer_OneProfile()
    {
        await using var bed = GcpTestBed.Create();
        bed.Fake.Inject(new FakeFault(FakeFaultKind.StatusAfterEffect, "POST datamigration", HttpStatus: 502, RpcStatus: "UNAVAILABLE"));
        var profile = new JsonObject { ["role"] = "SOURCE", ["postgresql"] = new JsonObject { ["host"] = "127.0.211.11", ["port"] = 5432, ["username"] = "repl", ["password"] = "dms-Pw-1" } };
        var op = await bed.Apis.DataMigration.CreateProfileAsync("src", profile, "hyops-req-1", None);
        op.ShouldNotBeNull();
        await bed.Apis.DataMigration.WaitAsync(op, None);
        var calls = bed.Fake.Calls("datamigration", "POST", "/connectionProfiles").ToList();
        calls.Count.ShouldBe(2);
        calls.ShouldAllBe(c => c.Query["requestId"] == "hyops-req-1");
        bed.Fake.DataMigration.Profiles.Keys.ShouldBe(["src"]);
        // Input only: the password is never returned.
        (await bed.Apis.DataMigration.GetAsync(bed.Apis.DataMigration.ProfileName("src"), None))!.ToJsonString().ShouldNotContain("dms-Pw-1");
    }

    [Fact]
    public async Task AttemptsThatTimeOut_AreRetried_ThenHyo8003_NamingTheApi()
    {
        await using var bed = GcpTestBed.Create(s => s with { AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        bed.Fake.Inject(new FakeFault(FakeFaultKind.Delay, "GET sqladmin", Times: 20, Delay: TimeSpan.FromSeconds(1)));
        var ex = await Should.ThrowAsync<GcpApiException>(() => bed.Apis.SqlAdmin.GetInstanceAsync("slow", None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8003");
        ex.ExitCode.ShouldBe(ExitCode.ConnectivityFailure);
        ex.Message.ShouldContain($"{GcpPolicies.MaxAttempts} attempt(s)");
        ex.Message.ShouldContain("GET sqladmin");
    }

    [Fact]
    public async Task AnOperationNotDoneWithinItsBudget_IsHyo8007_NamingTheOperation()
    {
        await using var bed = GcpTestBed.Create(s => s with { OperationBudget = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(20) });
        bed.Fake.SqlAdmin.Operations.StepsToDone = 1_000_000;
        var op = (await bed.Apis.SqlAdmin.InsertInstanceAsync(InstanceBody("slow-create"), None))!;
        var ex = await Should.ThrowAsync<HyopsException>(() => bed.Apis.SqlAdmin.WaitAsync(op, None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8007");
        ex.ExitCode.ShouldBe(ExitCode.ReadinessFailure);
        ex.Message.ShouldContain(op["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task AContinuousJob_WalksNotStartedRunningFullDumpCdcPromoteCompleted_AndTheDestinationIsPromoted()
    {
        await using var bed = GcpTestBed.Create();
        var dms = bed.Apis.DataMigration;
        await dms.WaitAsync((await dms.CreateProfileAsync("src", new JsonObject
        {
            ["role"] = "SOURCE",
            ["postgresql"] = new JsonObject { ["host"] = "127.0.211.11", ["port"] = 5432, ["username"] = "repl", ["password"] = "dms-Pw-2" },
        }, "r-src", None))!, None);
        await dms.WaitAsync((await dms.CreateProfileAsync("standby", new JsonObject
        {
            ["role"] = "DESTINATION",
            ["cloudsql"] = new JsonObject { ["settings"] = new JsonObject { ["databaseVersion"] = "POSTGRES_15", ["tier"] = "db-custom-1-3840", ["rootPassword"] = "root-Pw-3", ["sourceId"] = dms.ProfileName("src") } },
        }, "r-dst", None))!, None);
        (await bed.Apis.SqlAdmin.GetInstanceAsync("standby", None))!["instanceType"]!.GetValue<string>().ShouldBe("READ_REPLICA_INSTANCE");

        await dms.WaitAsync((await dms.CreateJobAsync("standby-dr", new JsonObject
        {
            ["type"] = "CONTINUOUS", ["source"] = dms.ProfileName("src"), ["destination"] = dms.ProfileName("standby"),
            ["sourceDatabase"] = new JsonObject { ["engine"] = "POSTGRESQL" }, ["destinationDatabase"] = new JsonObject { ["provider"] = "CLOUDSQL", ["engine"] = "POSTGRESQL" },
            ["staticIpConnectivity"] = new JsonObject(),
        }, "r-job", None))!, None);
        await dms.WaitAsync(await dms.JobVerbAsync("standby-dr", "verify", None), None);
        await dms.WaitAsync(await dms.JobVerbAsync("standby-dr", "start", None), None);
        var job = dms.JobName("standby-dr");
        while ((await dms.GetAsync(job, None))!["phase"]?.GetValue<string>() != "CDC")
        {
        }

        await dms.WaitAsync(await dms.JobVerbAsync("standby-dr", "promote", None), None);
        while ((await dms.GetAsync(job, None))!["state"]!.GetValue<string>() != "COMPLETED")
        {
        }

        bed.Fake.DataMigration.Walk.ToArray().ShouldBe(["NOT_STARTED", "RUNNING/FULL_DUMP", "RUNNING/CDC", "RUNNING/PROMOTE_IN_PROGRESS", "COMPLETED"]);
        var promoted = (await bed.Apis.SqlAdmin.GetInstanceAsync("standby", None))!;
        promoted["instanceType"]!.GetValue<string>().ShouldBe("CLOUD_SQL_INSTANCE");
        promoted.ContainsKey("masterInstanceName").ShouldBeFalse();
        bed.Fake.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task AVerifyThatFindsSourceProblems_IsHyo8006_NamingEachDmsErrorType()
    {
        await using var bed = GcpTestBed.Create();
        var dms = bed.Apis.DataMigration;
        bed.Fake.DataMigration.Jobs["j"] = new JsonObject { ["name"] = dms.JobName("j"), ["state"] = "NOT_STARTED", ["type"] = "CONTINUOUS" };
        bed.Fake.DataMigration.VerifyErrors.AddRange(["PGLOGICAL_NOT_INSTALLED", "WAL_LEVEL_NOT_LOGICAL"]);
        var ex = await Should.ThrowAsync<HyopsException>(async () => await dms.WaitAsync(await dms.JobVerbAsync("j", "verify", None), None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8006");
        ex.Message.ShouldContain("PGLOGICAL_NOT_INSTALLED");
        ex.Message.ShouldContain("WAL_LEVEL_NOT_LOGICAL");
    }

    [Fact]
    public async Task CloudDns_Replace_DeletesTheExactCurrentRrset_AddsTheNewOne_AndPollsUntilDone()
    {
        await using var bed = GcpTestBed.Create();
        bed.Fake.Dns.AddZone("hyops-lab");
        await bed.Apis.Dns.ReplaceAsync("hyops-lab", "db.hyops.lab.", "A", 30, ["127.0.211.11"], None);
        var done = await bed.Apis.Dns.ReplaceAsync("hyops-lab", "db.hyops.lab.", "A", 30, ["127.0.213.11"], None);
        done["status"]!.GetValue<string>().ShouldBe("done");
        var post = bed.Fake.Calls("dns", "POST", "/changes").Last();
        post.Body!["deletions"]![0]!["rrdatas"]![0]!.GetValue<string>().ShouldBe("127.0.211.11");
        (await bed.Apis.Dns.GetRrsetAsync("hyops-lab", "db.hyops.lab.", "A", None))!["rrdatas"]![0]!.GetValue<string>().ShouldBe("127.0.213.11");
        bed.Fake.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheFake_RefusesAnUndocumentedBodyField_AsAContractViolation_Hyo8005()
    {
        await using var bed = GcpTestBed.Create();
        var body = InstanceBody("odd");
        body["settings"]!["autoMagic"] = true;
        var ex = await Should.ThrowAsync<GcpApiException>(() => bed.Apis.SqlAdmin.InsertInstanceAsync(body, None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8005");
        bed.Fake.Violations.ShouldHaveSingleItem().ShouldContain("settings.autoMagic");
    }
}
