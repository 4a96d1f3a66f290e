using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Source;

/// <summary>
/// platform/onprem/postgresql-dr-source against lab hosts reached over SSH (block 3). Steps run in order on one
/// lab: the healthy path first, then refusals, then faults that break the cluster on purpose
/// (wal_level lowered, a member promoted outside Patroni, the leader stopped).
/// </summary>
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
[Trait("lab", "hosts")]
public sealed class DrSourceTests(DrSourceFixture f) : IClassFixture<DrSourceFixture>
{
    private const string Module = "platform/onprem/postgresql-dr-source";
    private const string ModuleId = "platform__onprem__postgresql-dr-source";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Site Site => f.Site;

    /// <summary>The managed site's one address (the `managed` lab host) and an operator's consumer network.</summary>
    private string ManagedCidr => Site.Address("managed") + "/32";

    private string Managed => $"source_databases: [appdb]\nallowed_consumer_cidrs: [\"{ManagedCidr}\", \"10.20.0.0/24\"]\n";

    private string Api(string member) => $"http://{Site.Address(member)}:8008";

    [Fact]
    [Step(1)]
    public async Task Deploy_Managed_PublishesTheSourceContract_AppliesTheAllowlistThroughPatroni_AndDestroyRemovesOnlyItsAdditions()
    {
        var hbaBefore = await DcsHbaAsync();
        var untouched = await UntouchedAsync();

        // Only the inventory ref is given explicitly: identity and leader come from the postgresql-ha state (SRC-3.3a).
        var r = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module,
            "--inputs", f.Inputs("managed.yml", Managed + "inventory_state_ref: platform/onprem/inventory\n"));

        r.ExitCode.ShouldBe(0, r.ToString());
        var ha = f.State("platform__onprem__postgresql-ha")["outputs"]!;
        var o = f.State(ModuleId)["outputs"]!.AsObject();
        o["contract_version"]!.GetValue<string>().ShouldBe("postgresql-dr-source/v1");
        o["source_cluster_name"]!.GetValue<string>().ShouldBe(ha["cluster_name"]!.GetValue<string>());
        o["source_system_identifier"]!.GetValue<string>().ShouldBe(await f.ScalarAsync<string>("select system_identifier::text from pg_control_system()"));
        o["source_host"]!.GetValue<string>().ShouldBe(ha["leader_host"]!.GetValue<string>());
        o["source_port"]!.GetValue<int>().ShouldBe(5432);
        o["replication_password_env"]!.GetValue<string>().ShouldBe(DrSourceFixture.ReplicationEnv);
        o["ready"]!.GetValue<bool>().ShouldBeTrue();
        o["readiness"]!["pg_hba_allowlist_applied"]!.GetValue<bool>().ShouldBeTrue();
        o["readiness"]!["preflight_clean"]!.GetValue<bool>().ShouldBeFalse();
        var posture = o["posture"]!;
        posture["wal_level"]!.GetValue<string>().ShouldBe("logical");
        posture["slots_used"]!.GetValue<int>().ShouldBe(await f.ScalarAsync<int>("select count(*)::int from pg_replication_slots"));
        posture["logical_ready"]!.GetValue<bool>().ShouldBeTrue();
        var pre = o["preflight"]!["appdb"]!;
        Names(pre["tables_without_pk"]).ShouldBe(["public.audit_log"]);
        Names(pre["unlogged_tables"]).ShouldBe(["public.scratch"]);
        Names(pre["sequences"]).ShouldBe(["public.orders_id_seq"]);
        pre["large_objects"]!.GetValue<long>().ShouldBe(1);
        pre["tables"]!.GetValue<long>().ShouldBe(3);
        Names(pre["warnings"]).ShouldContain(w => w.Contains("DDL is not replicated", StringComparison.Ordinal));
        o["role_created_by_module"]!.GetValue<bool>().ShouldBeTrue();
        o.Select(p => p.Key).ShouldBe(
            ["source_cluster_name", "source_system_identifier", "source_host", "source_port", "source_databases", "replication_user", "replication_password_env",
             "dr_mode", "allowed_consumer_cidrs", "ready", "readiness", "posture", "preflight", "pg_hba_rules_added", "role_created_by_module", "grants_added",
             "members", "assessed_at", "contract_version"], ignoreOrder: true);

        // The allowlist is in Patroni's DCS config and loaded by every member, and nothing wider was added (SRC-7.3):
        // the role's allow lines name exactly the given CIDRs, then the role is rejected from every other address.
        string[] expected =
        [
            $"host appdb hyops_dr_repl {ManagedCidr} scram-sha-256", "host appdb hyops_dr_repl 10.20.0.0/24 scram-sha-256",
            $"host replication hyops_dr_repl {ManagedCidr} scram-sha-256", "host replication hyops_dr_repl 10.20.0.0/24 scram-sha-256",
            "host all hyops_dr_repl 0.0.0.0/0 reject", "host all hyops_dr_repl ::/0 reject",
            "host replication hyops_dr_repl 0.0.0.0/0 reject", "host replication hyops_dr_repl ::/0 reject",
        ];
        Names(o["pg_hba_rules_added"]).ShouldBe(expected, ignoreOrder: true);
        var hbaAfter = await DcsHbaAsync();
        hbaAfter.Except(hbaBefore).ShouldBe(expected, ignoreOrder: true);
        hbaBefore.Except(hbaAfter).ShouldBeEmpty();
        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            var loaded = await HbaRules.ReadAsync(Site.Endpoint(member), CancellationToken.None);
            foreach (var line in expected)
            {
                loaded.ShouldContain(HbaLine.Parse(line)!, member);
            }
        }

        // The role may replicate and read the table for the initial copy, but only from the allowlist: this client
        // connects from the lab bridge's address (hyops' own, in the site network), which is not in it, so pg_hba
        // rejects the role (28000).
        var admin = Site.Endpoint("pg1") with { Database = "appdb" };
        (await PgProbe.ScalarAsync<bool>(admin, "select has_table_privilege('hyops_dr_repl', 'orders', 'select')", CancellationToken.None)).ShouldBeTrue();
        (await PgProbe.ScalarAsync<bool>(admin, "select rolreplication from pg_roles where rolname = 'hyops_dr_repl'", CancellationToken.None)).ShouldBeTrue();
        var repl = new PgEndpoint(Site.Address("pg1"), 5432, "hyops_dr_repl", f.DrPassword, "appdb");
        var refused = await Should.ThrowAsync<HybridOps.Core.Diagnostics.HyopsException>(() => PgProbe.ScalarAsync<long>(repl, "select 1", CancellationToken.None));
        refused.Diagnostics[0].Message.ShouldContain("authentication rejected (28000)");

        // Evidence (SRC-5): identity, redacted inputs, checks with observed values, reachability of every member, the contract.
        var record = File.ReadAllText(Path.Combine(RecordDir(r), "record.jsonl"));
        foreach (var check in new[] { "source_identity", "member_reachable:pg1", "member_reachable:pg2", "member_reachable:pg3", "single_writable_primary", "wal_level_logical", "replication_capacity", "pg_hba_applied", "preflight:appdb" })
        {
            record.ShouldContain($"\"{check}\"");
        }

        File.Exists(Path.Combine(RecordDir(r), "inputs.json")).ShouldBeTrue();
        JsonNode.Parse(File.ReadAllText(Path.Combine(RecordDir(r), "source-contract.json")))!["source_host"]!.GetValue<string>().ShouldBe(Site.Address("pg1"));

        // Nothing promoted, no backup path touched, no other module run (SRC-2.1/2.2/2.3).
        (await UntouchedAsync()).ShouldBe(untouched);
        Directory.GetDirectories(Path.Combine(Site.Root, "state", "modules")).Select(Path.GetFileName).ShouldBe(
            ["platform__network__powerdns-authority", "platform__onprem__inventory", "platform__onprem__postgresql-ha", ModuleId], ignoreOrder: true);

        var status = await Site.HyopsAsync("--output", "json", "module", "status", "--module", Module, "--inputs", f.Inputs("managed.yml", Managed));
        status.ExitCode.ShouldBe(0, status.ToString());
        JsonNode.Parse(status.StdOut)!["outputs"]!["ready"]!.GetValue<bool>().ShouldBeTrue();

        var destroy = await Site.HyopsAsync("module", "destroy", "--module", Module, "--inputs", f.Inputs("managed.yml", Managed));
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        (await DcsHbaAsync()).ShouldBe(hbaBefore);
        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            (await HbaRules.ReadAsync(Site.Endpoint(member), CancellationToken.None)).ShouldNotContain(HbaLine.Parse(expected[0])!, member);
        }

        (await f.ScalarAsync<long>("select count(*) from pg_roles where rolname = 'hyops_dr_repl'")).ShouldBe(0);
        (await UntouchedAsync()).ShouldBe(untouched);
        AssertNoSecrets(r, status, destroy);
    }

    [Fact]
    [Step(2)]
    public async Task Deploy_Refusals_NameTheInput_AndHappenBeforeAnyChange()
    {
        var before = await DcsHbaAsync();
        async Task Refused(string yaml, int exit, string code, string mention)
        {
            var r = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("bad.yml", yaml));
            r.ExitCode.ShouldBe(exit, r.ToString());
            r.StdErr.ShouldContain(code);
            r.StdErr.ShouldContain(mention);
        }

        var stateBefore = File.ReadAllText(Site.StatePath(ModuleId));
        await Refused("allowed_consumer_cidrs: [\"10.20.0.0/24\"]\n", 2, "HYO2002", "source_databases");
        await Refused("source_databases: [appdb]\n", 2, "HYO2040", "allowed_consumer_cidrs");
        await Refused("source_databases: [appdb]\nallowed_consumer_cidrs: [\"0.0.0.0/0\"]\n", 2, "HYO2041", "0.0.0.0/0");
        await Refused("source_databases: [appdb]\nallowed_consumer_cidrs: [\"::/0\"]\n", 2, "HYO2041", "::/0");
        await Refused("source_databases: [appdb]\nallowed_consumer_cidrs: [\"8.8.8.0/24\"]\n", 2, "HYO2041", "consumer_cidr_boundaries");
        await Refused("source_databases: [appdb]\nallowed_consumer_cidrs: [\"10.20.0.0\"]\n", 2, "HYO2041", "10.20.0.0");
        await Refused(Managed + "dr_mode: \"\"\n", 2, "HYO2002", "dr_mode");
        await Refused(Managed + "dr_mode: warm-standby\n", 2, "HYO2042", "dr_mode");
        await Refused(Managed + "replication_user: \"\"\n", 2, "HYO2002", "replication_user");
        await Refused(Managed + "replication_password: \"hunter2-literal\"\n", 2, "HYO2004", "replication_password");
        await Refused(Managed + "cluster_state_ref: \"platform/onprem/postgresql-ha#absent\"\n", 7, "HYO2006", "cluster_state_ref");
        File.ReadAllText(Site.StatePath(ModuleId)).ShouldBe(stateBefore);
        (await DcsHbaAsync()).ShouldBe(before);

        // Not ok (SRC-6.1) and another contract version (SRC-8) fail fast, naming both versions.
        var ha = f.State("platform__onprem__postgresql-ha").AsObject();
        var other = (JsonObject)ha.DeepClone();
        other["contract_version"] = "postgresql-ha/v2";
        other["outputs"]!["contract_version"] = "postgresql-ha/v2";
        WriteInstance("v2", other);
        await Refused(Managed + "cluster_state_ref: \"platform/onprem/postgresql-ha#v2\"\n", 7, "HYO2008", "postgresql-ha/v1");
        (await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("bad.yml", Managed + "cluster_state_ref: \"platform/onprem/postgresql-ha#v2\"\n"))).StdErr.ShouldContain("postgresql-ha/v2");
        var failed = (JsonObject)ha.DeepClone();
        failed["status"] = "error";
        WriteInstance("failed", failed);
        await Refused(Managed + "cluster_state_ref: \"platform/onprem/postgresql-ha#failed\"\n", 7, "HYO2007", "cluster_state_ref");

        // Export mode needs no allowlist and adds no pg_hba line.
        var export = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module, "--inputs", f.Inputs("export.yml", "dr_mode: export\nsource_databases: [appdb]\n"));
        export.ExitCode.ShouldBe(0, export.ToString());
        JsonNode.Parse(export.StdOut)!["outputs"]!["posture"]!["export_ready"]!.GetValue<bool>().ShouldBeTrue();
        (await DcsHbaAsync()).ShouldBe(before);
        (await Site.HyopsAsync("module", "destroy", "--module", Module, "--inputs", f.Inputs("export.yml", "dr_mode: export\nsource_databases: [appdb]\n"))).ExitCode.ShouldBe(0);
    }

    [Fact]
    [Step(3)]
    public async Task Deploy_ConfigurationFailures_ExitFive_WithTheirOwnCodes()
    {
        var missing = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("nodb.yml", "source_databases: [nosuchdb]\nallowed_consumer_cidrs: [\"10.20.0.0/24\"]\n"));
        missing.ExitCode.ShouldBe(5, missing.ToString());
        missing.StdErr.ShouldContain("HYO5030");
        missing.StdErr.ShouldContain("nosuchdb");

        var free = await f.ScalarAsync<int>("select current_setting('max_replication_slots')::int - (select count(*)::int from pg_replication_slots)");
        for (var i = 0; i < free; i++)
        {
            await f.ExecAsync("postgres", $"select pg_create_physical_replication_slot('hyops_test_fill_{i}')");
        }

        try
        {
            var full = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("managed.yml", Managed));
            full.ExitCode.ShouldBe(5, full.ToString());
            full.StdErr.ShouldContain("HYO5031");
        }
        finally
        {
            await f.ExecAsync("postgres", "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like 'hyops_test_fill_%'");
        }
    }

    [Fact]
    [Step(4)]
    public async Task Deploy_WithWalLevelBelowLogical_IsAConfigurationFailure_NotAConnectivityFailure()
    {
        await PatchConfigAsync(new JsonObject { ["postgresql"] = new JsonObject { ["parameters"] = new JsonObject { ["wal_level"] = "replica" } } });
        foreach (var member in new[] { "pg2", "pg3", "pg1" })
        {
            using var restart = await Http.PostAsync($"{Api(member)}/restart", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            restart.IsSuccessStatusCode.ShouldBeTrue(await restart.Content.ReadAsStringAsync());
        }

        await EventuallyAsync(async () => await TryScalarAsync("show wal_level") == "replica");

        var r = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("managed.yml", Managed));

        r.ExitCode.ShouldBe(5, r.ToString());
        r.StdErr.ShouldContain("HYO5032");
    }

    [Fact]
    [Step(5)]
    public async Task Deploy_WithTwoWritableMembers_IsAmbiguousTopology_AndPublishesNothing()
    {
        await PatchConfigAsync(new JsonObject { ["pause"] = true });
        // The pause reaches each member at its next HA loop: promoting before pg2's Patroni is paused lets it demote
        // pg2 again (it owns no leader key), and pg2 never shows as writable.
        await EventuallyAsync(async () => (await Task.WhenAll(new[] { "pg1", "pg2", "pg3" }.Select(PausedAsync))).All(p => p));
        await f.ExecAsync("postgres", "select pg_promote()", "pg2");
        await EventuallyAsync(async () => await TryScalarAsync("select (not pg_is_in_recovery())::text", "pg2") == "true");

        var r = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("export.yml", "dr_mode: export\nsource_databases: [appdb]\n"));

        r.ExitCode.ShouldBe(6, r.ToString());
        r.StdErr.ShouldContain("HYO6030");
        var state = f.State(ModuleId);
        state["status"]!.GetValue<string>().ShouldBe("error");
        state["outputs"]!.AsObject().Count.ShouldBe(0);
    }

    [Fact]
    [Step(6)]
    public async Task Deploy_WithTheLeaderStopped_IsAConnectivityFailure()
    {
        await Site.StopPostgresOutsideHyopsAsync("pg1");

        var r = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("export.yml", "dr_mode: export\nsource_databases: [appdb]\n"));

        r.ExitCode.ShouldBe(4, r.ToString());
        r.StdErr.ShouldContain("HYO4030");
    }

    private void AssertNoSecrets(params CliResult[] results)
    {
        string[] secrets = [Site.SuperuserPassword, Site.ReplicationPassword, f.DrPassword];
        foreach (var (path, text) in Site.RuntimeFiles())
        {
            foreach (var s in secrets)
            {
                text.Contains(s, StringComparison.Ordinal).ShouldBeFalse(path);
            }
        }

        foreach (var r in results)
        {
            secrets.ShouldAllBe(s => !r.StdOut.Contains(s) && !r.StdErr.Contains(s));
        }
    }

    private async Task<List<string>> DcsHbaAsync()
    {
        var config = await Http.GetFromJsonAsync<JsonObject>($"{Api("pg1")}/config");
        return Names(config!["postgresql"]!["pg_hba"]);
    }

    private async Task PatchConfigAsync(JsonObject patch)
    {
        using var r = await Http.PatchAsync($"{Api("pg1")}/config", new StringContent(patch.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        r.IsSuccessStatusCode.ShouldBeTrue(await r.Content.ReadAsStringAsync());
    }

    /// <summary>What the DR source must never change: leader, timeline, DNS answer, archive_command, each host's pgBackRest config, DCS parameters.</summary>
    private async Task<string> UntouchedAsync()
    {
        var cluster = await Http.GetFromJsonAsync<JsonObject>($"{Api("pg1")}/cluster");
        var leader = cluster!["members"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "leader")!;
        var config = await Http.GetFromJsonAsync<JsonObject>($"{Api("pg1")}/config");
        var dns = (await DnsQuery.QueryAAsync(Site.Address("dns"), 53, "db.hyops.lab.", TimeSpan.FromSeconds(3), CancellationToken.None))?.Addresses ?? [];
        var pgbackrest = new List<string>();
        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            pgbackrest.Add(member + ":" + await Site.SshAsync(member, "cd /etc && sha256sum pgbackrest.conf pgbackrest/pgbackrest.conf 2>/dev/null || true"));
        }

        return string.Join("\n",
            $"leader={leader["name"]} timeline={leader["timeline"]}",
            $"dns={string.Join(',', dns)}",
            $"archive_command={await f.ScalarAsync<string>("show archive_command")}",
            $"parameters={config!["postgresql"]!["parameters"]!.ToJsonString()}",
            $"pgbackrest={string.Join(',', pgbackrest)}");
    }

    private async Task<string?> TryScalarAsync(string sql, string member = "pg1")
    {
        try
        {
            return await f.ScalarAsync<string>(sql, member);
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private async Task<bool> PausedAsync(string member)
    {
        try
        {
            var status = JsonNode.Parse(await Http.GetStringAsync($"{Api(member)}/patroni"));
            return status?["pause"] is JsonValue v && v.TryGetValue<bool>(out var paused) && paused;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 150; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        (await condition()).ShouldBeTrue("condition not reached in 30s");
    }

    private void WriteInstance(string instance, JsonObject state)
    {
        state["instance"] = instance;
        var path = Site.StatePath("platform__onprem__postgresql-ha", instance);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, state.ToJsonString());
    }

    private static string RecordDir(CliResult r) => JsonNode.Parse(r.StdOut)!["record_dir"]!.GetValue<string>();

    private static List<string> Names(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}
