using System.Text.Json.Nodes;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Repo;

/// <summary>
/// org/gcp/object-repo with provider gcs through the CLI: the published contract maps to pgBackRest's
/// GCS options (repo1-type gcs, bucket, key type, endpoint, path), names the key file's env key but
/// never its value, and a key type pgBackRest does not know is refused before anything is written.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class GcsRepoContractTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private Task<CliResult> Deploy(JsonObject inputs)
    {
        var env = new Dictionary<string, string> { ["HOME"] = dir.Path, ["HYOPS_CONTENT_ROOT"] = RepoRoot.Path, ["HYOPS_GCS_KEY_FILE"] = "/etc/pgbackrest/gcs-sa.json" };
        dir.Write("gcs.json", inputs.ToJsonString());
        return CliRunner.RunAsync(env, ["--root", dir.Combine("root"), "--output", "json", "module", "deploy", "--module", "org/gcp/object-repo", "--inputs", dir.Combine("gcs.json")]);
    }

    [Fact]
    public async Task AGcsRepository_PublishesPgBackRestGcsOptions_AndOnlyTheKeyEnvName()
    {
        var r = await Deploy(new JsonObject
        {
            ["provider"] = "gcs", ["bucket"] = "acme-dr-pg", ["path"] = "/pg15", ["endpoint"] = "storage.googleapis.com",
            ["gcs_sa_json_env"] = "HYOPS_GCS_KEY_FILE", ["gcs_key_type"] = "service",
        });
        r.ExitCode.ShouldBe(0, r.ToString());
        var outputs = JsonNode.Parse(r.Stdout)!["outputs"]!;
        var options = outputs["pgbackrest_options"]!.AsObject();
        options["repo1-type"]!.GetValue<string>().ShouldBe("gcs");
        options["repo1-gcs-bucket"]!.GetValue<string>().ShouldBe("acme-dr-pg");
        options["repo1-gcs-key-type"]!.GetValue<string>().ShouldBe("service");
        options["repo1-gcs-endpoint"]!.GetValue<string>().ShouldBe("storage.googleapis.com");
        options["repo1-path"]!.GetValue<string>().ShouldBe("/pg15");
        options.ContainsKey("repo1-gcs-key").ShouldBeFalse();
        outputs["repo_uri"]!.GetValue<string>().ShouldBe("gs://acme-dr-pg/pg15");
        outputs["credential_env_keys"]!["gcs_sa_json_env"]!.GetValue<string>().ShouldBe("HYOPS_GCS_KEY_FILE");
        r.Stdout.ShouldNotContain("/etc/pgbackrest/gcs-sa.json");
    }

    [Fact]
    public async Task AnUnknownGcsKeyType_IsRefusedBeforeAnythingIsWritten()
    {
        var r = await Deploy(new JsonObject { ["provider"] = "gcs", ["bucket"] = "acme-dr-pg", ["gcs_key_type"] = "password" });
        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("gcs_key_type");
        r.Stderr.ShouldContain("service, token, auto");
        Directory.Exists(dir.Combine("root", "state")).ShouldBeFalse();
    }
}
