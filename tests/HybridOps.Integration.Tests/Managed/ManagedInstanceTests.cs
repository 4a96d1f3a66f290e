using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>
/// org/gcp/cloudsql-postgresql with the local provider on the lab's `managed` host (block 7, reached over
/// SSH as `provider_host`): create, status, destroy refused without the typed confirmation, destroy with it.
/// </summary>
[Trait("lab", "hosts")]
public sealed class ManagedInstanceTests : IAsyncLifetime
{
    private const string Password = "mi-admin-Pw-7f3a9c";
    private const string DataMarker = "/instances/hyops-dr-standby/data";
    private readonly Site site = Site.OnHosts(7);
    private JsonObject inputs = null!;

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = Password;
        // The instance runs on the managed host; hyops reaches it from the site network (the bridge address).
        inputs = DrSourceFixture.InstanceInputs(JsonNode.Parse((await site.StartAsync([])).StdOut)!);
    }

    public async Task DisposeAsync()
    {
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Instance_CreateStatusDestroy_RealServerOnTheManagedSite_DestroyNeedsTheTypedName()
    {
        var managed = site.Address("managed");

        // No client network named: refused before anything is created (no state, no server on the host).
        var noNetworks = inputs.DeepClone().AsObject();
        noNetworks["authorized_networks"] = new JsonArray();
        var noClient = await site.HyopsAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", site.WriteInputs("no-networks.json", noNetworks));
        noClient.ExitCode.ShouldBe(2, noClient.ToString());
        noClient.StdErr.ShouldContain("HYO2002");
        noClient.StdErr.ShouldContain("authorized_networks");
        File.Exists(site.StatePath("org__gcp__cloudsql-postgresql")).ShouldBeFalse();
        site.ManagedHostProcesses(DataMarker).ShouldBeEmpty();

        var deploy = site.WriteInputs("instance.json", inputs);
        var outputs = (await site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", deploy))["outputs"]!;
        outputs["state"]!.GetValue<string>().ShouldBe("RUNNABLE");
        outputs["host"]!.GetValue<string>().ShouldBe(managed);
        outputs["role"]!.GetValue<string>().ShouldBe("standby");
        outputs["admin_password_env"]!.GetValue<string>().ShouldBe("HYOPS_MANAGED_ADMIN_PASSWORD");
        outputs["contract_version"]!.GetValue<string>().ShouldBe("cloudsql-postgresql/v1");

        // A real PostgreSQL 15 with checksums and wal_level logical answers as the admin user.
        var admin = new PgEndpoint(managed, 5432, "hyops_admin", Password);
        (await PgProbe.ScalarAsync<string>(admin, "show data_checksums", CancellationToken.None)).ShouldBe("on");
        (await PgProbe.ScalarAsync<string>(admin, "show wal_level", CancellationToken.None)).ShouldBe("logical");
        (await PgProbe.ScalarAsync<string>(admin, "show password_encryption", CancellationToken.None)).ShouldBe("scram-sha-256");
        (await PgProbe.ScalarAsync<string>(admin, "select current_setting('server_version_num')", CancellationToken.None)).ShouldStartWith("15");

        // The wrong password is rejected (scram, not trust).
        var wrong = await Should.ThrowAsync<HybridOps.Core.Diagnostics.HyopsException>(() => PgProbe.ScalarAsync<int>(admin with { Password = "not-it-123" }, "select 1", CancellationToken.None));
        wrong.ExitCode.ShouldBe(HybridOps.Core.Diagnostics.ExitCode.ConfigurationFailure);

        // The server is a process of the managed host (its own pid namespace), not of this machine.
        var pids = site.ManagedHostProcesses(DataMarker);
        pids.ShouldNotBeEmpty();

        var status = await site.OkAsync("module", "status", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", deploy);
        status["outputs"]!["state"]!.GetValue<string>().ShouldBe("RUNNABLE");

        // Redeploy is idempotent and narrows the allowlist: a network that is not authorized cannot log in.
        var narrow = (JsonObject)inputs.DeepClone();
        narrow["authorized_networks"] = new JsonArray(managed + "/32");
        var narrowed = site.WriteInputs("narrow.json", narrow);
        var refused = await site.HyopsAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", narrowed);
        refused.ExitCode.ShouldBe(4, refused.ToString());
        refused.StdErr.ShouldContain("HYO4040");
        (await site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", deploy))["outputs"]!["host"]!.GetValue<string>().ShouldBe(managed);

        // Destroy without the typed name: exit 3, nothing changed.
        var noConfirm = await site.HyopsAsync("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", deploy);
        noConfirm.ExitCode.ShouldBe(3, noConfirm.ToString());
        noConfirm.StdErr.ShouldContain("HYO3030");
        (await PgProbe.ScalarAsync<int>(admin, "select 1", CancellationToken.None)).ShouldBe(1);
        JsonNode.Parse(File.ReadAllText(site.StatePath("org__gcp__cloudsql-postgresql")))!["status"]!.GetValue<string>().ShouldBe("ok");

        // gcp without a project is a clear, catalogued refusal before anything changes.
        var gcp = site.WriteInputs("gcp.json", new JsonObject { ["provider"] = "gcp" });
        var gcpResult = await site.HyopsAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", gcp);
        gcpResult.ExitCode.ShouldBe(2, gcpResult.ToString());
        gcpResult.StdErr.ShouldContain("HYO2002");
        gcpResult.StdErr.ShouldContain("gcp.project");

        var confirmInputs = (JsonObject)inputs.DeepClone();
        confirmInputs["destroy_confirm"] = "hyops-dr-standby";
        var confirm = site.WriteInputs("confirm.json", confirmInputs);
        var destroyed = await site.HyopsAsync("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", confirm);
        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        pids.ShouldAllBe(p => !HybridOps.Postgres.Exec.ProcessControl.IsAlive(p));
        site.ManagedHostProcesses(DataMarker).ShouldBeEmpty();
        (await site.SshAsync("managed", "test -e /var/lib/postgresql/hyops-managed/instances/hyops-dr-standby && echo left || echo gone")).ShouldBe("gone");
        await Should.ThrowAsync<HybridOps.Core.Diagnostics.HyopsException>(() => PgProbe.ScalarAsync<int>(admin, "select 1", CancellationToken.None));

        site.RuntimeFiles().Where(f => f.Text.Contains(Password, StringComparison.Ordinal)).Select(f => f.Path).ShouldBeEmpty();
    }
}
