using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// The premium lane end to end on lab hosts of block 7, reached only over SSH (on-prem site, DNS host,
/// the managed provider's host, the object-store host), with a poller probing every endpoint every
/// 100 ms by a real table write through all three blueprints: an
/// application role created on-prem before the standby is carried to the standby and logs in on the
/// promoted instance; the post-promotion backup policy leaves the blueprint partial (HYO6113, exit 10)
/// with the promotion standing while the repository (the S3 store's bucket) is unwritable, and a rerun
/// takes a verified first backup; failback recreates the role on the reseeded cluster, where it logs in
/// with its key and reads its tables; never two writable primaries; no secret in the runtime root or the
/// lab dir (every host's disk, the WAL included).
/// </summary>
[Trait("lab", "hosts")]
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class PremiumLifecycleTests(PremiumLifecycleFixture f, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PremiumLifecycleFixture>
{
    private const string Standby = "dr/postgresql-cloudsql-standby-gcp@v1";
    private const string Promote = "dr/postgresql-cloudsql-promote-gcp@v1";
    private const string Failback = "dr/postgresql-cloudsql-failback-onprem@v1";
    private const string Repo = "org/aws/object-repo";
    private const string Instance = "hyops-dr-standby";
    private const string Scratch = "hyops_poll.writable";
    private const int AppRows = 10;

    private Site Site => f.Site;

    /// <summary>The managed provider's host, where the standby listens.</summary>
    private string Managed => Site.Address("managed");

    private string AppRoles => $"[{{name: app, password_env: {PremiumLifecycleFixture.AppKey}}}]";

    private string PromoteInputs => $"""
        fence_onprem:
          fence_confirm: hyops-onprem
        promote:
          promote_confirm: {Instance}
        publish_endpoint:
          publish_confirm: "db.hyops.lab."
        enable_backups:
          enabled: true
          repo_state_ref: {Repo}
        """;

    /// <summary>The S3 store's bucket on the objstore host's disk (s3rver runs as postgres there).</summary>
    private string BucketDir => $"/var/lib/postgresql/objstore/s3rver/{f.Lab["object_stores"]!["s3"]!["bucket"]!.GetValue<string>()}";

    [Fact]
    [Step(1)]
    public async Task Standby_CarriesTheApplicationRole_WhichLogsInOnTheStandbyAndReadsItsTable()
    {
        (await Site.HyopsAsync("lab", "load", "--duration", "2")).ExitCode.ShouldBe(0);
        var leader = await DrSourceFixture.FindLeaderAsync(Site);
        await ExecAsync(leader, $"""
            create schema hyops_poll; create table {Scratch} (id bigint primary key, at timestamptz not null);
            create role app login password '{f.AppPassword}';
            create schema appdata; create table appdata.items (id int primary key, v text not null);
            insert into appdata.items select g, 'item-' || g from generate_series(1, {AppRows}) g;
            grant usage on schema appdata to app; grant select, insert on appdata.items to app;
            """);
        // The managed host's first instance listens on 5432 (checked below against the instance's state).
        var poller = new WritablePrimaryPoller([.. new[] { "pg1", "pg2", "pg3" }.Select(Site.Endpoint), Site.Endpoint("pg1") with { Host = Managed }], Scratch);
        f.Poller = poller;
        poller.Start();

        var load = Site.HyopsAsync("lab", "load", "--duration", "25", "--out", Path.Combine(Site.Dir, "load-standby"));
        var standby = PremiumHosts.StandbyInputs(f.Lab);
        standby["replica_establish"] = new JsonObject
        {
            ["app_roles"] = new JsonArray(new JsonObject { ["name"] = "app", ["password_env"] = PremiumLifecycleFixture.AppKey }),
        };
        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Standby, "--inputs", Inputs("standby.json", standby.ToJsonString()));
        (await load).ExitCode.ShouldBe(0);

        r.ExitCode.ShouldBe(0, r.ToString());
        var instance = State("org__gcp__cloudsql-postgresql")["outputs"]!;
        instance["host"]!.GetValue<string>().ShouldBe(Managed);
        instance["port"]!.GetValue<int>().ShouldBe(poller.Endpoints[^1].Port, "the poller probes the standby's own port");
        var carried = State("org__gcp__cloudsql-external-replica")["outputs"]!["app_roles"]!;
        carried["verified"]!.GetValue<bool>().ShouldBeTrue(carried.ToJsonString());
        carried["facts"]!.AsArray().Select(x => x!.GetValue<string>()).ShouldContain("postgres: SELECT on table appdata.items to app");
        (await ScalarAsync<long>(AppEndpoint(Managed), "select count(*) from appdata.items")).ShouldBe(AppRows);
        (await AppWriteAsync(Managed)).ShouldBe("25006");
    }

    [Fact]
    [Step(2)]
    public async Task Promote_WithTheRepositoryUnwritable_IsPartialHyo6113_AndThePromotionStands()
    {
        // The lab's S3 store on its own host; the bucket is made unwritable there, as a full disk or a bad ACL would.
        var repo = f.Lab["object_stores"]!["s3"]!.AsObject();
        (await Site.OkAsync("module", "deploy", "--module", Repo, "--inputs", Inputs("repo.json", repo.ToJsonString())))
            ["outputs"]!["pgbackrest_options"]!["repo1-type"]!.GetValue<string>().ShouldBe("s3");
        await Site.SshAsync("objstore", $"chown root:root {BucketDir} && chmod 0755 {BucketDir}");

        var load = Site.HyopsAsync("lab", "load", "--duration", "30", "--out", Path.Combine(Site.Dir, "load-promote"));
        var r = await Site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("promote.yml", PromoteInputs));
        (await load).ExitCode.ShouldBe(0);

        r.ExitCode.ShouldBe(10, r.ToString());
        r.ToString().ShouldContain("HYO6113");
        var bp = JsonNode.Parse(File.ReadAllText(Path.Combine(Site.Root, "state", "blueprints", "dr__postgresql-cloudsql-promote-gcp@v1", "latest.json")))!;
        bp["status"]!.GetValue<string>().ShouldBe("partial");
        var steps = bp["steps"]!.AsArray().ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
        steps["promote"].ShouldBe("ok");
        steps["publish_endpoint"].ShouldBe("ok");
        steps["enable_backups"].ShouldBe("error");
        State("org__gcp__cloudsql-promote")["outputs"]!["role"]!.GetValue<string>().ShouldBe("primary");

        // The application logs in on the promoted instance with its own key, reads and writes its table.
        (await AppWriteAsync(Managed)).ShouldBe("ok");
        await ExecAsync(AppEndpoint(Managed), "insert into appdata.items select g, 'dr-' || g from generate_series(1001, 1005) g");
        (await ScalarAsync<long>(AppEndpoint(Managed), "select count(*) from appdata.items")).ShouldBe(AppRows + 5);
    }

    [Fact]
    [Step(3)]
    public async Task Promote_RerunWithTheRepositoryFixed_TakesAVerifiedFirstBackup_WithoutPromotingAgain()
    {
        var promotedAt = State("org__gcp__cloudsql-promote")["outputs"]!["promoted_at"]!.GetValue<string>();
        await Site.SshAsync("objstore", $"chown -R postgres:postgres {BucketDir} && chmod 0750 {BucketDir}");

        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("promote.yml", PromoteInputs));

        r.ExitCode.ShouldBe(0, r.ToString());
        State("org__gcp__cloudsql-promote")["outputs"]!["promoted_at"]!.GetValue<string>().ShouldBe(promotedAt);
        var backup = State("org__gcp__cloudsql-backup")["outputs"]!;
        backup["backups_enabled"]!.GetValue<bool>().ShouldBeTrue();
        // pgBackRest's own listing, on the managed host with the instance's config (0600: it holds the store's keys).
        var config = backup["config_path"]!.GetValue<string>();
        (await Site.SshAsync("managed", $"stat -c '%a %U' {config}")).ShouldBe("600 postgres");
        var info = await Site.SshAsync("managed", $"sudo -u postgres /usr/bin/pgbackrest --config={config} --stanza={Instance} --output=json info");
        var stanza = JsonNode.Parse(info)!.AsArray().Single()!;
        stanza["status"]!["code"]!.GetValue<int>().ShouldBe(0, info);
        var backups = stanza["backup"]!.AsArray();
        backups.Count.ShouldBe(1);
        backups[0]!["type"]!.GetValue<string>().ShouldBe("full");
        backups[0]!["label"]!.GetValue<string>().ShouldBe(backup["backup_label"]!.GetValue<string>());
        output.WriteLine($"first backup of the promoted primary: {backups[0]!["label"]} ({backups[0]!["type"]}), wal {backups[0]!["archive"]?.ToJsonString()}");
    }

    [Fact]
    [Step(4)]
    public async Task Failback_RecreatesTheApplicationRole_WhichLogsInOnTheReseededClusterAndReadsItsTables()
    {
        var gate = await Site.OkAsync("module", "status", "--module", "core/shared/manual-gate", "--instance", "failback-managed", "--inputs", Inputs("gate.yml", """
            gate_id: failback-managed
            target_state_ref: platform/onprem/inventory
            target_output_key: cluster_name
            """));
        await Site.RetireOnpremDatabaseTierAsync();
        var now = DateTimeOffset.UtcNow;
        var r = await Site.HyopsAsync("blueprint", "drill", "--ref", Failback, "--output", "json", "--rate", "20", "--report-dir", Path.Combine(Site.Dir, "failback-drill"),
            "--inputs", Inputs("fb.yml", $"""
            maintenance_gate:
              confirm: true
              confirm_target: hyops-onprem
              confirm_nonce: {gate["outputs"]!["nonce"]!.GetValue<string>()}
              window_start: "{now.AddMinutes(-5):O}"
              window_end: "{now.AddMinutes(30):O}"
            fence_managed:
              fence_confirm: {Instance}
            reseed_onprem:
              reseed_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
              app_roles: {AppRoles}
            """));

        r.ExitCode.ShouldBe(0, r.ToString());
        JsonNode.Parse(r.StdOut)!["rpo"]!["missing_count"]!.GetValue<long>().ShouldBe(0);
        var onprem = State("platform__onprem__postgresql-ha")["outputs"]!;
        onprem["app_roles"]!["verified"]!.GetValue<bool>().ShouldBeTrue(onprem["app_roles"]!.ToJsonString());
        var leaderHost = onprem["leader_host"]!.GetValue<string>();
        (await ScalarAsync<long>(AppEndpoint(leaderHost), "select count(*) from appdata.items")).ShouldBe(AppRows + 5);
        (await ScalarAsync<string>(AppEndpoint(leaderHost), "select v from appdata.items where id = 1003")).ShouldBe("dr-1003");
        (await AppWriteAsync(leaderHost)).ShouldBe("ok");
        (await ScalarAsync<bool>(Site.Endpoint("pg1") with { Host = leaderHost }, "select rolcanlogin and not rolsuper from pg_roles where rolname = 'app'")).ShouldBeTrue();
        new[] { Site.Address("pg1"), Site.Address("pg2"), Site.Address("pg3") }.ShouldContain(leaderHost);
    }

    [Fact]
    [Step(5)]
    public async Task ThroughStandbyPromoteAndFailback_ThePollerSawNeverTwoWritablePrimaries()
    {
        var poller = f.Poller.ShouldNotBeNull();
        await poller.StopAsync();
        output.WriteLine($"poller: {poller.Rounds} rounds of {4} endpoints, writable rounds by host: {string.Join(", ", poller.WritableRoundsByHost.Select(k => $"{k.Key}={k.Value}"))}");
        poller.Rounds.ShouldBeGreaterThan(300);
        poller.WritableRoundsByHost.GetValueOrDefault(Managed).ShouldBeGreaterThan(0);
        poller.WritableRoundsByHost.Keys.Count(k => k != Managed).ShouldBeGreaterThan(0);
        poller.TwoWritableRounds.ShouldBe(0, string.Join("\n", poller.TwoWritableMoments.Take(20)));
    }

    [Fact]
    [Step(6)]
    public void NoSecret_InTheRuntimeRoot_TheLabDir_OrTheManagedInstancesFilesAndWal()
    {
        // Documented server-side 0600 files that hold a password by design: Patroni's environment file and pgpass,
        // the standby's source passfile, PowerDNS's config (its API key), the promoted instance's pgbackrest.conf
        // and the S3 store's environment file (the store's keys). Everything else, every host's disk and WAL
        // segment, is scanned.
        string[] excluded = ["patroni.env", "pgpass", ".pgpass.patroni", "source.pgpass", "pdns.conf", "pgbackrest.conf", "s3rver.env"];
        string[] secrets = [Site.SuperuserPassword, Site.ReplicationPassword, f.DrPassword, f.AppPassword, Site.Environment["HYOPS_VAULT_PASSWORD"], f.S3AccessKey, f.S3SecretKey];
        var needles = secrets.Select(s => System.Text.Encoding.UTF8.GetBytes(s)).ToList();
        var scanned = 0;
        var wal = 0;
        var found = new List<string>();
        foreach (var file in new[] { Site.Root, Site.LabDir }.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)))
        {
            var info = new FileInfo(file);
            if (excluded.Contains(info.Name))
            {
                (info.UnixFileMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)).ShouldBe((UnixFileMode)0, file);
                continue;
            }

            if (info.LinkTarget is not null || !info.Exists)
            {
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue; // a socket or a file removed while we looked
            }

            scanned++;
            wal += file.Contains("/pg_wal/", StringComparison.Ordinal) ? 1 : 0;
            found.AddRange(needles.Where(n => bytes.AsSpan().IndexOf(n) >= 0).Select(_ => file));
        }

        output.WriteLine($"secret scan: {scanned} files ({wal} WAL segments), {found.Count} hits");
        scanned.ShouldBeGreaterThan(200);
        wal.ShouldBeGreaterThan(0);
        found.ShouldBeEmpty();
    }

    private PgEndpoint AppEndpoint(string host) => new(host, 5432, "app", f.AppPassword);

    private async Task<string> AppWriteAsync(string host)
    {
        try
        {
            await using var conn = new NpgsqlConnection(AppEndpoint(host).ConnectionString);
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand("insert into appdata.items values (-1, 'probe')", conn, tx);
            await cmd.ExecuteNonQueryAsync();
            await tx.RollbackAsync();
            return "ok";
        }
        catch (PostgresException ex)
        {
            return ex.SqlState;
        }
    }

    private JsonNode State(string moduleId) => JsonNode.Parse(File.ReadAllText(Site.StatePath(moduleId)))!;

    private string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static async Task ExecAsync(PgEndpoint endpoint, string sql)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(PgEndpoint endpoint, string sql)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
