using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>
/// org/gcp/cloudsql-postgresql with the local provider on a real lab (prefix 127.0.91, managed site
/// 127.0.93): create, status, destroy refused without the typed confirmation, destroy with it.
/// </summary>
public sealed class ManagedInstanceTests : IAsyncLifetime
{
    private const string Password = "mi-admin-Pw-7f3a9c";
    private readonly Site site = new("127.0.91");

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = Password;
        await site.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await site.StopManagedProcessesAsync();
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Instance_CreateStatusDestroy_RealServerOnTheManagedSite_DestroyNeedsTheTypedName()
    {
        var outputs = (await site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef))["outputs"]!;
        outputs["state"]!.GetValue<string>().ShouldBe("RUNNABLE");
        outputs["host"]!.GetValue<string>().ShouldBe("127.0.93.11");
        outputs["role"]!.GetValue<string>().ShouldBe("standby");
        outputs["admin_password_env"]!.GetValue<string>().ShouldBe("HYOPS_MANAGED_ADMIN_PASSWORD");
        outputs["contract_version"]!.GetValue<string>().ShouldBe("cloudsql-postgresql/v1");

        // A real PostgreSQL 15 with checksums and wal_level logical answers as the admin user.
        var admin = new PgEndpoint("127.0.93.11", 5432, "hyops_admin", Password);
        (await PgProbe.ScalarAsync<string>(admin, "show data_checksums", CancellationToken.None)).ShouldBe("on");
        (await PgProbe.ScalarAsync<string>(admin, "show wal_level", CancellationToken.None)).ShouldBe("logical");
        (await PgProbe.ScalarAsync<string>(admin, "show password_encryption", CancellationToken.None)).ShouldBe("scram-sha-256");
        (await PgProbe.ScalarAsync<string>(admin, "select current_setting('server_version_num')", CancellationToken.None)).ShouldStartWith("15");

        // The wrong password is rejected (scram, not trust).
        var wrong = await Should.ThrowAsync<HybridOps.Core.Diagnostics.HyopsException>(() => PgProbe.ScalarAsync<int>(admin with { Password = "not-it-123" }, "select 1", CancellationToken.None));
        wrong.ExitCode.ShouldBe(HybridOps.Core.Diagnostics.ExitCode.ConfigurationFailure);

        // The pid is recorded for `lab down` with the data dir as marker.
        var processes = JsonNode.Parse(File.ReadAllText(Path.Combine(site.LabDir, "sites", "managed", "processes.json")))!["processes"]!.AsArray();
        processes.Count.ShouldBe(1);
        var pid = processes[0]!["pid"]!.GetValue<int>();
        HybridOps.Postgres.Exec.ProcessControl.CommandLineContains(pid, processes[0]!["marker"]!.GetValue<string>()).ShouldBeTrue();

        var status = await site.OkAsync("module", "status", "--module", ManagedSiteHelpers.InstanceRef);
        status["outputs"]!["state"]!.GetValue<string>().ShouldBe("RUNNABLE");

        // Redeploy is idempotent and narrows the allowlist: a network that is not authorized cannot log in.
        var narrowed = site.WriteInputs("narrow.json", new JsonObject { ["authorized_networks"] = new JsonArray("127.0.93.0/24") });
        var refused = await site.HyopsAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", narrowed);
        refused.ExitCode.ShouldBe(4, refused.ToString());
        refused.StdErr.ShouldContain("HYO4040");
        (await site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef))["outputs"]!["host"]!.GetValue<string>().ShouldBe("127.0.93.11");

        // Destroy without the typed name: exit 3, nothing changed.
        var noConfirm = await site.HyopsAsync("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef);
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

        var confirm = site.WriteInputs("confirm.json", new JsonObject { ["destroy_confirm"] = "hyops-dr-standby" });
        var destroyed = await site.HyopsAsync("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", confirm);
        destroyed.ExitCode.ShouldBe(0, destroyed.ToString());
        HybridOps.Postgres.Exec.ProcessControl.IsAlive(pid).ShouldBeFalse();
        Directory.Exists(Path.Combine(site.LabDir, "sites", "managed", "instances", "hyops-dr-standby")).ShouldBeFalse();
        await Should.ThrowAsync<HybridOps.Core.Diagnostics.HyopsException>(() => PgProbe.ScalarAsync<int>(admin, "select 1", CancellationToken.None));

        site.RuntimeFiles().Where(f => f.Text.Contains(Password, StringComparison.Ordinal)).Select(f => f.Path).ShouldBeEmpty();
    }
}
