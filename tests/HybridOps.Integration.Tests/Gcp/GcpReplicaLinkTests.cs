using HybridOps.Core.Diagnostics;
using HybridOps.Providers.Gcp;
using HybridOps.Providers.Managed;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// The provider's DMS link and promotion against the fake (API only): standby through a DESTINATION
/// profile, SOURCE profile + CONTINUOUS job walked to CDC, promotion through the job to a RUNNABLE
/// primary proven by instances.get, teardown that keeps the destination; a failed verify names each
/// DMS error type and starts nothing.
/// </summary>
public sealed class GcpReplicaLinkTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const string SourcePassword = "repl-Pw-link-5d1";

    private static GcpManagedPostgres Provider(GcpTestBed bed) =>
        new(bed.Apis, new ProviderLocation("gcp", "", "") { Gcp = bed.Apis.Settings }, TimeProvider.System);

    private static InstanceRequest Standby(string name) =>
        new(name, "POSTGRES_15", new InstanceSettings("db-custom-1-3840", GcpTestBed.Region, ["127.0.0.1/32"]), "postgres", "root-Pw-link-9");

    [Fact]
    public async Task Establish_WalksTheJobToCdc_PromoteCompletesItIntoARunnablePrimary_AndTeardownKeepsTheDestination()
    {
        await using var bed = GcpTestBed.Create();
        var provider = Provider(bed);
        await provider.InsertInstanceAsync(Standby("dr-one"), None);
        (await provider.GetInstanceAsync("dr-one", None))!.Role.ShouldBe(InstanceRole.Replica);

        var link = new GcpReplicaLink(bed.Apis, "dr-one");
        var job = await link.EstablishAsync("127.0.211.11", 5432, "hyops_dr_repl", SourcePassword, TimeSpan.FromSeconds(30), None);
        job["state"]!.GetValue<string>().ShouldBe("RUNNING");
        job["phase"]!.GetValue<string>().ShouldBe("CDC");
        job["type"]!.GetValue<string>().ShouldBe("CONTINUOUS");
        (await link.StatusAsync(None))["phase"]!.GetValue<string>().ShouldBe("CDC");

        // A second establish finds both and starts nothing again.
        await link.EstablishAsync("127.0.211.11", 5432, "hyops_dr_repl", SourcePassword, TimeSpan.FromSeconds(30), None);
        bed.Fake.Calls("datamigration", "POST", ":start").Count().ShouldBe(1);

        var promoted = await provider.PromoteReplicaAsync("dr-one", None);
        promoted.Status.ShouldBe("DONE");
        bed.Fake.DataMigration.Walk.ToArray().ShouldBe(["NOT_STARTED", "RUNNING/FULL_DUMP", "RUNNING/CDC", "RUNNING/PROMOTE_IN_PROGRESS", "COMPLETED"]);
        var instance = (await provider.GetInstanceAsync("dr-one", None))!;
        instance.Role.ShouldBe(InstanceRole.Primary);
        instance.State.ShouldBe(InstanceState.Runnable);
        instance.PromotedAt.ShouldNotBeNull();
        bed.Fake.Calls("sqladmin", "POST", "promoteReplica").ShouldBeEmpty();

        // Promoting again changes nothing.
        await provider.PromoteReplicaAsync("dr-one", None);
        bed.Fake.Calls("datamigration", "POST", ":promote").Count().ShouldBe(1);

        var torn = await link.DestroyAsync(None);
        torn["migration_job_deleted"]!.GetValue<bool>().ShouldBeTrue();
        torn["source_profile_deleted"]!.GetValue<bool>().ShouldBeTrue();
        bed.Fake.DataMigration.Jobs.ShouldBeEmpty();
        bed.Fake.DataMigration.Profiles.Keys.ShouldBe(["dr-one"]);
        bed.Fake.SqlAdmin.Instances.Keys.ShouldBe(["dr-one"]);

        // The source password went to DMS once, as input, and came back nowhere.
        bed.Fake.DataMigration.SourcePasswords.Values.ShouldBe([SourcePassword]);
        bed.Fake.Requests.Where(r => r.Method == "GET").ShouldAllBe(r => r.Body == null);
        bed.Fake.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task AVerifyThatFindsMissingPglogical_IsHyo8010_NamingEachError_AndTheJobIsNotStarted()
    {
        await using var bed = GcpTestBed.Create();
        await Provider(bed).InsertInstanceAsync(Standby("dr-two"), None);
        bed.Fake.DataMigration.VerifyErrors.AddRange(["PGLOGICAL_NOT_INSTALLED", "INSUFFICIENT_MAX_REPLICATION_SLOTS"]);
        var link = new GcpReplicaLink(bed.Apis, "dr-two");
        var ex = await Should.ThrowAsync<HyopsException>(() => link.EstablishAsync("127.0.211.11", 5432, "hyops_dr_repl", SourcePassword, TimeSpan.FromSeconds(30), None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8010");
        ex.ExitCode.ShouldBe(ExitCode.ConfigurationFailure);
        ex.Message.ShouldContain("PGLOGICAL_NOT_INSTALLED");
        ex.Message.ShouldContain("INSUFFICIENT_MAX_REPLICATION_SLOTS");
        (await link.StatusAsync(None))["state"]!.GetValue<string>().ShouldBe("NOT_STARTED");
        bed.Fake.Calls("datamigration", "POST", ":start").ShouldBeEmpty();
    }

    [Fact]
    public async Task AFlagCloudSqlDoesNotList_IsRefusedBeforeThePatch_AndAListedOneIsApplied()
    {
        await using var bed = GcpTestBed.Create();
        var provider = Provider(bed);
        await provider.InsertInstanceAsync(Standby("dr-three") with { Role = InstanceRole.Primary }, None);
        var ex = await Should.ThrowAsync<HyopsException>(() => provider.PatchDatabaseFlagsAsync("dr-three", new Dictionary<string, string> { ["shared_preload_libraries"] = "evil" }, None));
        ex.Diagnostics[0].Code.ShouldBe("HYO8005");
        ex.Message.ShouldContain("shared_preload_libraries");
        bed.Fake.Calls("sqladmin", "PATCH", "dr-three").ShouldBeEmpty();

        await provider.PatchDatabaseFlagsAsync("dr-three", new Dictionary<string, string> { ["default_transaction_read_only"] = "on" }, None);
        (await provider.GetInstanceAsync("dr-three", None))!.DatabaseFlags["default_transaction_read_only"].ShouldBe("on");
        bed.Fake.Violations.ShouldBeEmpty();
    }
}
