using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Repo;

/// <summary>
/// LAN-5.2 / MDR-D3: repository data is deleted only by `hyops repo purge`, separately, with the bucket
/// name typed, never while a backup configuration still archives into it, and with a run record.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class RepoPurgeTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env;
    private readonly StateStore states;
    private readonly string repoDir;

    public RepoPurgeTests()
    {
        env = new Dictionary<string, string> { ["HOME"] = dir.Path, ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path };
        states = new StateStore(dir.Combine("root"), new Redactor());
        repoDir = dir.Combine("buckets", "acme-pg", "pgbackrest");
        dir.Write("buckets/acme-pg/pgbackrest/archive/main/15-1/000000010000000000000001", new string('w', 1000));
        dir.Write("buckets/acme-pg/pgbackrest/backup/main/20261121-000000F/backup.manifest", "manifest");
        states.Write(State("org/gcp/object-repo", null, StateStatus.Ok, new JsonObject
        {
            ["backend"] = "local",
            ["bucket"] = "acme-pg",
            ["path"] = "/pgbackrest",
            ["local_root"] = dir.Combine("buckets"),
            ["repo_uri"] = "file://" + repoDir,
        }));
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Purge_without_the_typed_bucket_is_refused_and_deletes_nothing()
    {
        var before = TempDir.Snapshot(repoDir);

        var missing = await Purge();
        var wrong = await Purge("--confirm-bucket", "acme-pg-typo");

        missing.ExitCode.ShouldBe(3, missing.ToString());
        missing.Stderr.ShouldContain("HYO3040");
        missing.Stderr.ShouldContain("--confirm-bucket acme-pg");
        wrong.ExitCode.ShouldBe(3, wrong.ToString());
        TempDir.Snapshot(repoDir).ShouldBe(before);
    }

    [Fact]
    public async Task Purge_is_refused_while_a_backup_configuration_archives_into_the_repository()
    {
        states.Write(State("platform/onprem/postgresql-ha-backup", null, StateStatus.Ok, new JsonObject { ["repo_uri"] = "file://" + repoDir }));
        var before = TempDir.Snapshot(repoDir);

        var r = await Purge("--confirm-bucket", "acme-pg");

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain("HYO3041");
        r.Stderr.ShouldContain("platform/onprem/postgresql-ha-backup");
        TempDir.Snapshot(repoDir).ShouldBe(before);
    }

    [Fact]
    public async Task Dry_run_counts_and_a_confirmed_purge_deletes_the_data_with_a_record()
    {
        states.Write(State("platform/onprem/postgresql-ha-backup", null, StateStatus.Destroyed, new JsonObject { ["repo_uri"] = "file://" + repoDir }));

        var dry = await Purge("--confirm-bucket", "acme-pg", "--dry-run", "--output", "json");
        dry.ExitCode.ShouldBe(0, dry.ToString());
        JsonNode.Parse(dry.Stdout)!["files"]!.GetValue<long>().ShouldBe(2);
        Directory.EnumerateFiles(repoDir, "*", SearchOption.AllDirectories).Count().ShouldBe(2);

        var r = await Purge("--confirm-bucket", "acme-pg", "--output", "json");

        r.ExitCode.ShouldBe(0, r.ToString());
        var result = JsonNode.Parse(r.Stdout)!;
        result["status"]!.GetValue<string>().ShouldBe("purged");
        result["bytes"]!.GetValue<long>().ShouldBe(1008);
        Directory.EnumerateFileSystemEntries(repoDir).ShouldBeEmpty();
        var record = File.ReadAllText(Path.Combine(result["record_dir"]!.GetValue<string>(), "record.jsonl"));
        record.ShouldContain("purge_confirm_bucket");
        record.ShouldContain("files_deleted");
    }

    private Task<CliResult> Purge(params string[] extra) =>
        CliRunner.RunAsync(env, ["--root", dir.Combine("root"), "repo", "purge", "--repo-state-ref", "org/gcp/object-repo", .. extra]);

    private static ModuleState State(string moduleRef, string? instance, string status, JsonObject outputs) => new()
    {
        ModuleRef = moduleRef,
        Instance = instance,
        Status = status,
        Action = "deploy",
        RunId = "r-" + Guid.NewGuid().ToString("N")[..8],
        UpdatedAt = DateTimeOffset.UtcNow,
        Outputs = outputs,
    };
}
