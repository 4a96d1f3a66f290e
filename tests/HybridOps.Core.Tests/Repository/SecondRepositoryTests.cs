using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Core.Tests.Repository;

public sealed class SecondRepositoryTests
{
    private static readonly BackupRepository Gcs = new(1, "org/gcp/object-repo", Repo("s3", "s3://a/pg", new JsonObject
    {
        ["repo1-type"] = "s3", ["repo1-s3-bucket"] = "a", ["repo1-path"] = "/pg", ["io-timeout"] = "5",
    }, new JsonObject { ["s3_access_key_env"] = "S3_ID", ["s3_secret_key_env"] = "S3_SECRET" }), 2);

    private static readonly BackupRepository Azure = new(2, "org/azure/object-repo", Repo("azure", "azure://c/pg", new JsonObject
    {
        ["repo1-type"] = "azure", ["repo1-azure-container"] = "c", ["repo1-azure-account"] = "acct", ["repo1-path"] = "/pg", ["io-timeout"] = "30",
    }, new JsonObject { ["azure_key_env"] = "AZ_KEY" }), 7);

    private static JsonObject Repo(string backend, string uri, JsonObject options, JsonObject keys) => new()
    {
        ["backend"] = backend, ["repo_uri"] = uri, ["pgbackrest_options"] = options, ["credential_env_keys"] = keys,
    };

    [Fact]
    public void Renumber_RenamesTheRepositoryOptions_AndLeavesGlobalOnes()
    {
        var renamed = RepoIndex.Renumber([new("repo1-s3-bucket", "b"), new("io-timeout", "5")], 2).ToDictionary();
        renamed.Keys.ShouldBe(["repo2-s3-bucket", "io-timeout"], ignoreOrder: true);
        RepoIndex.Renumber(new RepoSecret("repo1-azure-key", "AZ_KEY", "v"), 2).Option.ShouldBe("repo2-azure-key");
    }

    [Fact]
    public void Options_WriteBothRepositoriesSideBySide_EachWithItsRetention()
    {
        var global = BackupRepositories.Options([Gcs, Azure]);
        global["repo1-type"].ShouldBe("s3");
        global["repo1-s3-bucket"].ShouldBe("a");
        global["repo2-type"].ShouldBe("azure");
        global["repo2-azure-container"].ShouldBe("c");
        global["repo2-azure-account"].ShouldBe("acct");
        global["repo1-retention-full"].ShouldBe("2");
        global["repo2-retention-full"].ShouldBe("7");
        global["io-timeout"].ShouldBe("5");
        global.Keys.ShouldNotContain(k => k.StartsWith("repo1-azure", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_HoldsEachRepositorysKeyUnderItsOwnNumber_AndTheRedactedCopyNone()
    {
        var env = new DictionaryEnvironmentReader().Set("S3_ID", "AKID1").Set("S3_SECRET", "s3-secret-1").Set("AZ_KEY", "azure-key-2");
        var secrets = BackupRepositories.Secrets([Gcs, Azure], new SecretResolver(env, () => null, new Redactor()));
        var member = new Dictionary<string, string>(StringComparer.Ordinal) { ["pg1-path"] = "/data" };
        var text = PgBackRestConfig.Render(BackupRepositories.Options([Gcs, Azure]), "main", member, secrets);
        text.ShouldContain("\nrepo1-s3-key=AKID1\n");
        text.ShouldContain("\nrepo1-s3-key-secret=s3-secret-1\n");
        text.ShouldContain("\nrepo2-azure-key=azure-key-2\n");
        text.ShouldNotContain("repo1-azure-key");
        var redacted = PgBackRestConfig.Redacted(BackupRepositories.Options([Gcs, Azure]), "main", member, secrets);
        redacted.ShouldContain("repo2-azure-key=<secret AZ_KEY>");
        redacted.ShouldNotContain("azure-key-2");
    }

    // The shape pgBackRest 2.45 prints for a stanza with two repositories (trimmed to the fields read).
    private static JsonNode Info(string repo2Max) => JsonNode.Parse("""
        [{"name":"main","status":{"code":0,"message":"ok"},
          "repo":[{"key":1,"cipher":"none","status":{"code":0,"message":"ok"}},{"key":2,"cipher":"none","status":{"code":0,"message":"ok"}}],
          "archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","min":"000000010000000000000003","max":"000000010000000000000009"},
                     {"database":{"id":1,"repo-key":2},"id":"15-1","min":"000000010000000000000003","max":"REPO2MAX"}],
          "backup":[
            {"label":"20261201-170000F","type":"full","database":{"id":1,"repo-key":1},"archive":{"start":"000000010000000000000004","stop":"000000010000000000000004"},
             "timestamp":{"start":1796144400,"stop":1796144410},"info":{"size":31000000,"repository":{"size":4000000}}},
            {"label":"20261201-170100F","type":"full","database":{"id":1,"repo-key":2},"archive":{"start":"000000010000000000000006","stop":"000000010000000000000006"},
             "timestamp":{"start":1796144460,"stop":1796144470},"info":{"size":32000000,"repository":{"size":4100000}}}]}]
        """.Replace("REPO2MAX", repo2Max, StringComparison.Ordinal))!;

    [Fact]
    public void Info_IsReadPerRepository()
    {
        var info = Info("000000010000000000000009");
        PgBackRestBackup.LatestOf(info, "main", 1)!.Label.ShouldBe("20261201-170000F");
        PgBackRestBackup.LatestOf(info, "main", 2)!.Label.ShouldBe("20261201-170100F");
        PgBackRestBackup.Labels(info, "main", 2).ShouldBe(["20261201-170100F"]);
        PgBackRestRepoInfo.Of(info, "main", 2).WalMax.ShouldBe("000000010000000000000009");
        PgBackRestRepoInfo.Of(info, "main", 3).WalMax.ShouldBeNull();
    }

    [Fact]
    public void Facts_ListEveryRepository_WithItsOwnSetAndWalRange()
    {
        var facts = BackupRepositories.Facts([Gcs, Azure], Info("000000010000000000000009"), "main", JsonValue.Create(12));
        facts.Count.ShouldBe(2);
        var repo2 = facts[1]!.AsObject();
        repo2["repo_state_ref"]!.ToString().ShouldBe("org/azure/object-repo");
        repo2["backup_label"]!.ToString().ShouldBe("20261201-170100F");
        repo2["backup_size_bytes"]!.GetValue<long>().ShouldBe(32000000);
        repo2["backup_wal_stop"]!.ToString().ShouldBe("000000010000000000000006");
        repo2["wal_archive_max"]!.ToString().ShouldBe("000000010000000000000009");
        repo2["wal_continuous"]!.GetValue<bool>().ShouldBeTrue();
        repo2["rpo_exposure_s"]!.GetValue<int>().ShouldBe(12);
        repo2["rpo_events"]!.AsArray().ShouldBeEmpty();
        facts[0]!["backup_label"]!.ToString().ShouldBe("20261201-170000F");
    }

    [Fact]
    public void Facts_ReportARepositoryWhoseWalEndsEarly_AsItsOwnRpoEvent()
    {
        var facts = BackupRepositories.Facts([Gcs, Azure], Info("000000010000000000000007"), "main", JsonValue.Create(12));
        facts[0]!["rpo_events"]!.AsArray().ShouldBeEmpty();
        var lag = facts[1]!["rpo_events"]!.AsArray().Single()!.AsObject();
        lag["kind"]!.ToString().ShouldBe("archive_behind");
        lag["code"]!.ToString().ShouldBe("HYO5062");
        lag["repo_state_ref"]!.ToString().ShouldBe("org/azure/object-repo");
        lag["wal_archive_max"]!.ToString().ShouldBe("000000010000000000000007");
        lag["behind"]!.ToString().ShouldBe("000000010000000000000009");
    }

    [Fact]
    public void Facts_OfOneRepository_HaveNoRepositoryToBeBehind()
    {
        var facts = BackupRepositories.Facts([Gcs], Info("000000010000000000000007"), "main", JsonValue.Create(12));
        facts.Single()!["rpo_events"]!.AsArray().ShouldBeEmpty();
        facts.Single()!["wal_archive_max"]!.ToString().ShouldBe("000000010000000000000009");
    }
}
