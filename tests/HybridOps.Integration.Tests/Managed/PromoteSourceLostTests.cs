using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>
/// Site loss on lab hosts (block 7, over SSH): the on-prem hosts lose power after the standby on the
/// `managed` host is established.
/// Promotion is refused unless allow_source_unreachable is set; with it, promotion runs on the last
/// known replication state, sequences come from max(owned-by column) + margin, and the subscription
/// is dropped without contacting the gone source (slot_name = NONE).
/// </summary>
[Trait("lab", "hosts")]
public sealed class PromoteSourceLostTests : IAsyncLifetime
{
    private const string Instance = "hyops-dr-standby";
    private readonly Site site = Site.OnHosts(7);
    private readonly string adminPassword = "ma-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
    private readonly string replPassword = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
    private readonly List<CliResult> outputs = [];
    private JsonObject instance = null!;

    // hyops' control-plane session options: the standby refuses client DDL/DML until promoted (see docs/premium.md).
    private PgEndpoint Target => new(site.Address("managed"), 5432, "hyops_admin", adminPassword, DrSourceFixture.Db) { Options = "-c default_transaction_read_only=off -c session_replication_role=replica" };

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = adminPassword;
        site.Environment[DrSourceFixture.ReplicationKey] = replPassword;
        instance = DrSourceFixture.InstanceInputs(JsonNode.Parse((await site.StartAsync([])).StdOut)!);
    }

    public async Task DisposeAsync()
    {
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Promote_AfterSiteLoss_NeedsExplicitOptIn_ThenUsesColumnMaxForSequences()
    {
        var leader = await DrSourceFixture.FindLeaderAsync(site);
        await DrSourceFixture.PrepareAsync(site, leader, replPassword);
        DrSourceFixture.WriteState(site, leader, ready: true);
        await Ok("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", site.WriteInputs("instance.json", instance));
        await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef);
        await TestSql.ExecAsync(leader with { Database = DrSourceFixture.Db }, "insert into orders (item, qty) select 'x-' || g, g from generate_series(1, 25) g");
        await DrSourceFixture.WaitUntilAsync(async () => await TestSql.ScalarAsync<long>(Target, "select count(*) from orders") == 75);
        var lastKnown = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef, "--inputs", site.WriteInputs("st.json", new JsonObject { ["apply_mode"] = "status" })))["outputs"]!;
        lastKnown["replication_state"]!.GetValue<string>().ShouldBe("streaming");

        // Site loss.
        var down = await Run("lab", "fail-site");
        down.ExitCode.ShouldBe(0, down.ToString());
        await Should.ThrowAsync<HybridOps.Core.Diagnostics.HyopsException>(() => PgProbe.ScalarAsync<int>(leader, "select 1", CancellationToken.None));

        var confirm = new JsonObject { ["promote_confirm"] = Instance };
        var refused = await Run("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", site.WriteInputs("p1.json", confirm));
        refused.ExitCode.ShouldBe(8, refused.ToString());
        refused.StdErr.ShouldContain("HYO6045");
        (await TestSql.ScalarAsync<long>(Target, "select count(*) from pg_subscription")).ShouldBe(1);

        var optIn = new JsonObject { ["promote_confirm"] = Instance, ["allow_source_unreachable"] = true };
        var promoted = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", site.WriteInputs("p2.json", optIn)))["outputs"]!;
        promoted["promotion_mode"]!.GetValue<string>().ShouldBe("last_known_state");
        promoted["role"]!.GetValue<string>().ShouldBe("primary");
        promoted["sequences_synced"]!.GetValue<int>().ShouldBe(1);
        (await TestSql.ScalarAsync<long>(Target, "select count(*) from pg_subscription")).ShouldBe(0);
        var maxId = await TestSql.ScalarAsync<long>(Target, "select max(id) from orders");
        maxId.ShouldBe(75);
        (await TestSql.ScalarAsync<long>(Target, "insert into orders (item, qty) values ('dr', 1) returning id")).ShouldBe(maxId + 1000 + 1);

        // Rerun does not promote twice.
        var again = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", site.WriteInputs("p2.json", optIn)))["outputs"]!;
        again["promoted_at"]!.GetValue<string>().ShouldBe(promoted["promoted_at"]!.GetValue<string>());

        // Standby teardown with the source gone: leaves the source alone, keeps target data.
        await Ok("module", "destroy", "--module", ManagedSiteHelpers.ReplicaRef);
        (await TestSql.ScalarAsync<long>(Target, "select count(*) from orders")).ShouldBe(76);
        var destroy = (JsonObject)instance.DeepClone();
        destroy["destroy_confirm"] = Instance;
        await Ok("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", site.WriteInputs("d.json", destroy));

        string[] secrets = [adminPassword, replPassword, site.SuperuserPassword, site.ReplicationPassword];
        site.RuntimeFiles().Where(f => secrets.Any(s => f.Text.Contains(s, StringComparison.Ordinal))).Select(f => f.Path).ShouldBeEmpty();
        outputs.Where(o => secrets.Any(s => o.StdOut.Contains(s, StringComparison.Ordinal) || o.StdErr.Contains(s, StringComparison.Ordinal))).ShouldBeEmpty();
    }

    private async Task<CliResult> Run(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        outputs.Add(r);
        return r;
    }

    private async Task<JsonNode> Ok(params string[] args)
    {
        var r = await Run(["--output", "json", .. args]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }
}
