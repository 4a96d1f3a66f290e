using HybridOps.Core.Diagnostics;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;
using HybridOps.Postgres.Exec;

namespace HybridOps.Core.Tests.Baseline;

public sealed class RestoreInputTests
{
    [Theory]
    [InlineData("latest", "latest")]
    [InlineData(null, "latest")]
    [InlineData("set:20260101-120000F", "set:20260101-120000F")]
    [InlineData("set:20260101-120000F_20260102-010000D", "set:20260101-120000F_20260102-010000D")]
    [InlineData("time:2026-01-01T12:00:00Z", "time:2026-01-01T12:00:00.000000Z")]
    [InlineData("time:2026-01-01T14:00:00+02:00", "time:2026-01-01T12:00:00.000000Z")]
    public void RestoreTarget_ParsesTheThreeForms(string? text, string normalized) =>
        RestoreTarget.Parse(text).ToString().ShouldBe(normalized);

    [Theory]
    [InlineData("newest")]
    [InlineData("set:")]
    [InlineData("set:last")]
    [InlineData("time:yesterday")]
    [InlineData("time:2026-01-01T12:00:00")]
    public void RestoreTarget_RejectsAnythingElse_WithHYO2021(string text)
    {
        var ex = Should.Throw<HyopsException>(() => RestoreTarget.Parse(text));
        ex.Diagnostics[0].Code.ShouldBe("HYO2021");
        ex.ExitCode.ShouldBe(ExitCode.InputError);
    }

    [Fact]
    public void RestoreTarget_Set_StopsAtConsistency_Time_StopsAtTheTime()
    {
        RestoreTarget.Parse("latest").RecoverySettings().ShouldBeEmpty();
        RestoreTarget.Parse("set:20260101-120000F").RecoverySettings()["recovery_target"].ShouldBe("immediate");
        RestoreTarget.Parse("time:2026-01-01T12:00:00Z").RecoverySettings()["recovery_target_time"].ShouldBe("2026-01-01 12:00:00.000000+00");
    }

    [Fact]
    public void RestoreTarget_SelectsTheBackupSet()
    {
        var backups = new[]
        {
            new System.Text.Json.Nodes.JsonObject { ["label"] = "20260101-120000F", ["timestamp"] = new System.Text.Json.Nodes.JsonObject { ["stop"] = 1767268860 } },
            new System.Text.Json.Nodes.JsonObject { ["label"] = "20260102-120000F", ["timestamp"] = new System.Text.Json.Nodes.JsonObject { ["stop"] = 1767355260 } },
        };
        RestoreTarget.Parse("latest").SelectBackup(backups)!["label"]!.GetValue<string>().ShouldBe("20260102-120000F");
        RestoreTarget.Parse("set:20260101-120000F").SelectBackup(backups)!["label"]!.GetValue<string>().ShouldBe("20260101-120000F");
        RestoreTarget.Parse("set:20250101-120000F").SelectBackup(backups).ShouldBeNull();
        RestoreTarget.Parse("time:2026-01-02T00:00:00Z").SelectBackup(backups)!["label"]!.GetValue<string>().ShouldBe("20260101-120000F");
        RestoreTarget.Parse("time:2025-12-31T00:00:00Z").SelectBackup(backups).ShouldBeNull();
    }

    [Theory]
    [InlineData("http://127.0.2.1:2379", "127.0.2.1:2379")]
    [InlineData("127.0.2.1:2379", "127.0.2.1:2379")]
    public void DcsEndpoints_AreNormalizedToHostPort(string endpoint, string expected) =>
        RestoreHosts.Normalize(endpoint).ShouldBe(expected);

    [Fact]
    public void PatroniConfig_UsesTheCustomPgBackRestBootstrap_AndHoldsNoPassword()
    {
        var host = new RestoreHost("dr1", "127.0.2.11", 5432, 8008, "/srv/dr/dr1");
        var yaml = RestorePatroniConfig.Render(new RestorePatroniConfig.Settings("gcp-dr-pg", host, ["127.0.2.1:2379"], "/usr/lib/postgresql/15/bin",
            "postgres", "replicator", "/usr/bin/pgbackrest --config=/srv/dr/dr1/pgbackrest.conf --stanza=s --set=L restore",
            "/usr/bin/pgbackrest --config=/srv/dr/dr1/pgbackrest.conf --stanza=s archive-get %f \"%p\"", RestoreTarget.Parse("set:20260101-120000F").RecoverySettings()));
        yaml.ShouldContain("  method: pgbackrest");
        yaml.ShouldContain("    keep_existing_recovery_conf: false");
        yaml.ShouldContain("    no_params: true");
        yaml.ShouldContain("      recovery_target_action: promote");
        yaml.ShouldContain("      recovery_target_timeline: latest");
        yaml.ShouldContain("      recovery_target: 'immediate'");
        yaml.ShouldContain("archive-get %f \"%p\"");
        yaml.ShouldContain("scope: 'gcp-dr-pg'");
        yaml.ShouldContain("  - '127.0.2.1:2379'");
        yaml.ShouldNotContain("password", Case.Insensitive);
    }

    [Fact]
    public void PatroniConfig_ForAnHttpsEtcd_NamesTheProtocolAndTheCaOnTheHost()
    {
        var host = new RestoreHost("dr1", "169.254.250.41", 5432, 8008, "/srv/dr/dr1");
        var plain = RestorePatroniConfig.Render(new RestorePatroniConfig.Settings("s", host, ["169.254.250.40:2379"], "/usr/lib/postgresql/15/bin",
            "postgres", "replicator", "", "", new Dictionary<string, string>()));
        var tls = RestorePatroniConfig.Render(new RestorePatroniConfig.Settings("s", host, ["169.254.250.40:2379"], "/usr/lib/postgresql/15/bin",
            "postgres", "replicator", "", "", new Dictionary<string, string>()) { DcsProtocol = "https", DcsCaFile = host.EtcdCaFile });

        plain.ShouldContain("  protocol: http\n");
        plain.ShouldNotContain("cacert");
        tls.ShouldContain("  protocol: https\n");
        tls.ShouldContain("  cacert: '/srv/dr/dr1/etcd-ca.crt'\n");
    }

    [Fact]
    public void EtcdctlOptions_CarryTheSchemeAndTheCaFile()
    {
        var hosts = new RestoreHosts("org/gcp/dr-hosts", [], ["169.254.250.40:2379", "169.254.250.41:2379"], "/srv", "postgres") { DcsScheme = "https", DcsCaFile = "/etc/hyops/etcd-ca.crt" };

        hosts.EtcdctlOptions.ShouldBe(["--endpoints=https://169.254.250.40:2379,https://169.254.250.41:2379", "--cacert=/etc/hyops/etcd-ca.crt"]);
        (hosts with { DcsScheme = "http", DcsCaFile = null }).EtcdctlOptions.ShouldBe(["--endpoints=http://169.254.250.40:2379,http://169.254.250.41:2379"]);
    }
}
