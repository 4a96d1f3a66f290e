using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>
/// The S3 store (s3rver) stops answering while WAL is archived (SIGSTOP: connections hang, as with a
/// hung or partitioned store), on lab hosts over SSH (block 2, the store on the object-store host). Without a bound,
/// nothing is dropped: archive_command fails, the segments wait in pg_wal, rpo_exposure_s grows, and
/// once the store answers the archive is whole. With `archive_push_queue_max`, pgBackRest drops the
/// queue past the bound and reports it archived; `status` names the hole as an RPO event (HYO5062).
/// Every wait has a deadline, so the test stops by itself.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("lab", "hosts")]
public sealed class ArchivePushQueueTests(ITestOutputHelper log) : IAsyncLifetime
{
    private const string Backup = "platform/onprem/postgresql-ha-backup";
    private const string Repo = "org/aws/object-repo";
    private readonly Site site = Site.OnHosts(2);
    private readonly LocalProcessRunner runner = new();
    private JsonObject repoInputs = null!;
    private IReadOnlyList<int> storePids = [];

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_LAB_S3_ACCESS_KEY"] = "HYOPSIT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        site.Environment["HYOPS_LAB_S3_SECRET_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        site.Environment["HYOPS_LAB_AZURE_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var up = await site.StartAsync(["--object-stores"]);
        repoInputs = JsonNode.Parse(up.StdOut)!["object_stores"]!["s3"]!.AsObject();
        // s3rver's processes on the object-store host (its own pid namespace; the host's kernel is this machine's).
        storePids = [.. HybridOps.Lab.Hosts.LabHostSet.ProcessesOf(site.LabDir, "objstore").Where(p => ProcessControl.CommandLineContains(p, "s3rver"))];
        storePids.ShouldNotBeEmpty();
    }

    public async Task DisposeAsync()
    {
        await SignalStoreAsync("CONT");
        await site.DisposeAsync();
    }

    [Fact]
    public async Task StoreDown_WithoutABound_DropsNothing_AndWithTheQueueMax_StatusNamesTheDroppedRangeAsAnRpoEvent()
    {
        repoInputs["io_timeout_s"] = 3;
        await Ok("module", "deploy", "--module", Repo, "--inputs", Write("repo.json", repoInputs));
        var source = await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        var leader = site.Endpoint(source["outputs"]!["leader_name"]!.GetValue<string>());
        var unbounded = new JsonObject { ["repo_state_ref"] = Repo, ["archive_timeout_s"] = 600, ["command_timeout_s"] = 120 };
        await Ok("module", "deploy", "--module", Backup, "--inputs", Write("configure.json", unbounded));
        await Ok("module", "deploy", "--module", Backup, "--inputs", Write("backup.json", With(unbounded, "apply_mode", "backup")));
        await ExecAsync(leader, "create table queue_probe(id int primary key, pad text)");

        // No bound: archive_command fails while the store hangs; every segment stays in pg_wal.
        var archivedBefore = await ArchivedAsync(leader);
        await SignalStoreAsync("STOP");
        var waiting = await SwitchSegmentsAsync(leader, 3);
        await WaitUntilAsync(async () => await ScalarAsync<long>(leader, "select failed_count from pg_stat_archiver") > 0, "archive_command failing", 60);
        var first = await StatusAsync("status-down-1.json", unbounded, expectedExit: 10, "HYO4050");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = await StatusAsync("status-down-2.json", unbounded, expectedExit: 10, "HYO4050");
        second["rpo_exposure_s"]!.GetValue<long>().ShouldBeGreaterThan(first["rpo_exposure_s"]!.GetValue<long>());
        (await ArchivedAsync(leader)).ShouldBe(archivedBefore, "nothing is reported archived while the store is down");
        (await ScalarAsync<long>(leader, "select count(*) from pg_ls_archive_statusdir() where name like '%.ready'")).ShouldBeGreaterThanOrEqualTo(3);
        log.WriteLine($"unbounded: rpo_exposure_s {first["rpo_exposure_s"]} -> {second["rpo_exposure_s"]}, failed_count {second["archive_failed_count"]}");

        // The store answers again: every waiting segment reaches it, the archive has no hole.
        await SignalStoreAsync("CONT");
        await WaitArchivedAsync(leader, waiting[^1], 180);
        var whole = await StatusAsync("status-up.json", unbounded, expectedExit: 0, null);
        whole["verify_passed"]!.GetValue<bool>().ShouldBeTrue();
        whole["wal_gaps"]!.AsArray().ShouldBeEmpty();
        whole["rpo_events"]!.AsArray().ShouldBeEmpty();
        log.WriteLine($"store back: verify {whole["verify_result"]}; ranges {whole["verify_wal_ranges"]?.ToJsonString()}; latest set WAL {whole["backup_wal_start"]}..{whole["backup_wal_stop"]}");
        whole["verify_wal_ranges"]!.AsArray().ShouldNotBeEmpty();
        whole["wal_continuous"]!.GetValue<bool>().ShouldBeTrue();

        // Bounded (32 MiB = two segments): past the bound pgBackRest drops the queue and reports it archived.
        var bounded = With(unbounded, "archive_push_queue_max", "32MiB");
        var config = (await Ok("module", "deploy", "--module", Backup, "--inputs", Write("configure-bounded.json", bounded)))["outputs"]!["config_path"]!.GetValue<string>();
        (await site.SshAsync(source["outputs"]!["leader_name"]!.GetValue<string>(), $"cat {config}")).ShouldContain("archive-push-queue-max=32MiB");
        await SignalStoreAsync("STOP");
        var clock = Stopwatch.StartNew();
        var dropped = await SwitchSegmentsAsync(leader, 4);
        await WaitArchivedAsync(leader, dropped[^1], 240);
        log.WriteLine($"bounded: {dropped.Count} segments {dropped[0]}..{dropped[^1]} reported archived with the store down after {clock.Elapsed.TotalSeconds:F0}s");
        await SignalStoreAsync("CONT");
        var after = await SwitchSegmentsAsync(leader, 1);
        await WaitArchivedAsync(leader, after[^1], 120);

        var gap = await StatusAsync("status-gap.json", bounded, expectedExit: 10, "HYO5062");
        var events = gap["rpo_events"]!.AsArray();
        events.Count.ShouldBe(1, gap.ToJsonString());
        var e = events[0]!;
        e["code"]!.GetValue<string>().ShouldBe("HYO5062");
        string.CompareOrdinal(e["missing_from"]!.GetValue<string>(), dropped[0]).ShouldBeLessThanOrEqualTo(0, e.ToJsonString());
        string.CompareOrdinal(e["missing_to"]!.GetValue<string>(), dropped[^1]).ShouldBeGreaterThanOrEqualTo(0, e.ToJsonString());
        string.CompareOrdinal(e["missing_to"]!.GetValue<string>(), after[0]).ShouldBeLessThan(0, e.ToJsonString());
        gap["wal_continuous"]!.GetValue<bool>().ShouldBeFalse();
        gap["verify_passed"]!.GetValue<bool>().ShouldBeTrue("the files the store holds are valid; the hole is what is missing");
        log.WriteLine($"gap: missing {e["missing_from"]}..{e["missing_to"]} (after {e["after"]}, before {e["before"]})");

        // A new full backup starts a continuous range again: the hole is before it, status is ok.
        await Ok("module", "deploy", "--module", Backup, "--inputs", Write("backup-again.json", With(bounded, "apply_mode", "backup")));
        var healed = await StatusAsync("status-healed.json", bounded, expectedExit: 0, null);
        healed["rpo_events"]!.AsArray().ShouldBeEmpty();
        healed["wal_gaps"]!.AsArray().Count.ShouldBe(1, "the hole stays in the archive, before the latest set");

        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.Environment["HYOPS_LAB_S3_SECRET_KEY"], customMessage: path);
        }
    }

    /// <summary>`module status --output json`: its exit code (10 when partial), the diagnostic's code, and the outputs it found.</summary>
    private async Task<JsonObject> StatusAsync(string name, JsonObject inputs, int expectedExit, string? code)
    {
        var r = await site.HyopsAsync("--output", "json", "module", "status", "--module", Backup, "--inputs", Write(name, inputs));
        r.ExitCode.ShouldBe(expectedExit, r.StdErr);
        if (code is not null)
        {
            (r.StdOut + r.StdErr).ShouldContain(code, customMessage: r.StdErr);
        }

        r.ToString().ShouldNotContain(site.Environment["HYOPS_LAB_S3_SECRET_KEY"]);
        return JsonNode.Parse(r.StdOut)!["outputs"]!.AsObject();
    }

    /// <summary>Writes a row and switches WAL <paramref name="count"/> times; the switched segments, oldest first.</summary>
    private static async Task<List<string>> SwitchSegmentsAsync(PgEndpoint leader, int count)
    {
        var segments = new List<string>();
        for (var i = 0; i < count; i++)
        {
            await ExecAsync(leader, "insert into queue_probe select coalesce(max(id), 0) + 1, repeat('x', 100) from queue_probe");
            segments.Add((await PgProbe.ScalarAsync<string>(leader, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None))!);
        }

        return segments;
    }

    private async Task SignalStoreAsync(string signal)
    {
        foreach (var pid in storePids.Where(p => ProcessControl.CommandLineContains(p, "s3rver")))
        {
            (await runner.RunAsync(ProcessSpec.Of("kill", "-" + signal, pid.ToString(CultureInfo.InvariantCulture)), CancellationToken.None)).EnsureSuccess();
        }
    }

    private static Task<string> ArchivedAsync(PgEndpoint leader) =>
        ScalarAsync<string>(leader, "select coalesce(last_archived_wal, '') from pg_stat_archiver");

    private static async Task<T> ScalarAsync<T>(PgEndpoint leader, string sql) => (await PgProbe.ScalarAsync<T>(leader, sql, CancellationToken.None))!;

    private static Task WaitArchivedAsync(PgEndpoint leader, string segment, int seconds) =>
        WaitUntilAsync(async () => string.CompareOrdinal(await ArchivedAsync(leader), segment) >= 0, $"segment {segment} reported archived", seconds);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"timed out after {seconds}s waiting for {what}");
            }

            await Task.Delay(500);
        }
    }

    private static JsonObject With(JsonObject inputs, string key, JsonNode value)
    {
        var copy = (JsonObject)inputs.DeepClone();
        copy[key] = value;
        return copy;
    }

    private async Task<JsonNode> Ok(params string[] args)
    {
        var r = await site.HyopsAsync(["--output", "json", .. args]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private string Write(string name, JsonObject inputs)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, inputs.ToJsonString());
        return path;
    }
}
