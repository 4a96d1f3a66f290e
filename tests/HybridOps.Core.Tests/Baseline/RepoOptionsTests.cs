using HybridOps.Modules.Org.ObjectRepo;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Core.Tests.Baseline;

public sealed class RepoOptionsTests
{
    [Fact]
    public void Local_IsPosixUnderLocalRootBucketAndPath()
    {
        var repo = new RepoLocation("local", "hyops-lab", "/pgbackrest", null, null, "/srv/object-repo/");
        var o = RepoOptions.PgBackRest(repo);
        o.ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["repo1-type"] = "posix", ["repo1-path"] = "/srv/object-repo/hyops-lab/pgbackrest" });
        RepoOptions.Uri(repo).ShouldBe("file:///srv/object-repo/hyops-lab/pgbackrest");
    }

    [Fact]
    public void S3_HasBucketEndpointRegionAndPath_AndNoKeys()
    {
        var o = RepoOptions.PgBackRest(new RepoLocation("s3", "dr-bucket", "pg/", "eu-west-1", null, null));
        o["repo1-type"].ShouldBe("s3");
        o["repo1-s3-bucket"].ShouldBe("dr-bucket");
        o["repo1-s3-endpoint"].ShouldBe("s3.eu-west-1.amazonaws.com");
        o["repo1-s3-region"].ShouldBe("eu-west-1");
        o["repo1-path"].ShouldBe("/pg");
        o.Keys.ShouldNotContain(k => k.Contains("key", StringComparison.Ordinal));
        RepoOptions.Uri(new RepoLocation("s3", "dr-bucket", "pg/", "eu-west-1", null, null)).ShouldBe("s3://dr-bucket/pg");
    }

    [Fact]
    public void S3_KeepsAnExplicitEndpoint()
    {
        RepoOptions.PgBackRest(new RepoLocation("s3", "b-1", "/x", "us-east-1", "minio.local:9000", null))["repo1-s3-endpoint"].ShouldBe("minio.local:9000");
    }

    [Fact]
    public void Gcs_HasBucketKeyTypeAndPathOnly()
    {
        var o = RepoOptions.PgBackRest(new RepoLocation("gcs", "dr-gcs", "", null, null, null));
        o.ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["repo1-type"] = "gcs", ["repo1-gcs-bucket"] = "dr-gcs", ["repo1-gcs-key-type"] = "service", ["repo1-path"] = "/pgbackrest" });
        RepoOptions.Uri(new RepoLocation("gcs", "dr-gcs", "", null, null, null)).ShouldBe("gs://dr-gcs/pgbackrest");
    }

    [Theory]
    [InlineData("token")]
    [InlineData("auto")]
    public void Gcs_MapsTheKeyType_AndKeepsAnExplicitEndpoint(string keyType)
    {
        var o = RepoOptions.PgBackRest(new RepoLocation("gcs", "dr-gcs", "/pg", null, "storage.example.test", null) { GcsKeyType = keyType });
        o["repo1-gcs-key-type"].ShouldBe(keyType);
        o["repo1-gcs-endpoint"].ShouldBe("storage.example.test");
        o.ContainsKey("repo1-gcs-key").ShouldBeFalse();
    }

    [Fact]
    public void Gcs_AnUnknownKeyType_IsRejected()
    {
        Should.Throw<ArgumentException>(() => RepoOptions.PgBackRest(new RepoLocation("gcs", "dr-gcs", "/pg", null, null, null) { GcsKeyType = "password" }))
            .Message.ShouldContain("service, token, auto");
    }

    [Fact]
    public void Azure_HasContainerAndPath()
    {
        var o = RepoOptions.PgBackRest(new RepoLocation("azure", "drcontainer", "/pgbackrest", null, null, null));
        o.ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["repo1-type"] = "azure", ["repo1-azure-container"] = "drcontainer", ["repo1-path"] = "/pgbackrest" });
    }

    [Fact]
    public void UnknownProvider_IsRejected()
    {
        Should.Throw<ArgumentException>(() => RepoOptions.PgBackRest(new RepoLocation("ftp", "b-1", "/p", null, null, null)));
    }

    [Fact]
    public void Config_RendersGlobalAndStanzaSectionsInStableOrder()
    {
        var text = PgBackRestConfig.Render(
            new Dictionary<string, string> { ["repo1-type"] = "posix", ["log-path"] = "/w/log" },
            "main",
            new Dictionary<string, string> { ["pg1-port"] = "5432", ["pg1-path"] = "/d" });
        text.ShouldContain("[global]\nlog-path=/w/log\nrepo1-type=posix\n\n[main]\npg1-path=/d\npg1-port=5432\n");
    }

    [Fact]
    public void Info_LatestBackupFactsAreParsed()
    {
        var info = System.Text.Json.Nodes.JsonNode.Parse("""
            [{"name":"main","backup":[
              {"label":"20240101-000000F","type":"full","archive":{"start":"000000010000000000000003","stop":"000000010000000000000003"},"timestamp":{"start":100,"stop":110},"info":{"size":5,"repository":{"size":2}}},
              {"label":"20240101-000000F_20240102-000000D","type":"diff","archive":{"start":"000000020000000000000007","stop":"000000020000000000000008"},"timestamp":{"start":200,"stop":230},"info":{"size":6,"repository":{"size":3}}}]}]
            """);
        var latest = PgBackRestBackup.LatestOf(info, "main")!;
        latest.Label.ShouldBe("20240101-000000F_20240102-000000D");
        latest.Type.ShouldBe("diff");
        latest.Timeline.ShouldBe(2);
        latest.WalStop.ShouldBe("000000020000000000000008");
        latest.Stopped.ToUnixTimeSeconds().ShouldBe(230);
        PgBackRestBackup.Labels(info, "main").Count.ShouldBe(2);
    }
}
