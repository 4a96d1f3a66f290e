using HybridOps.Modules.Org.ObjectRepo;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Core.Tests.Repository;

public sealed class RepoCredentialConfigTests
{
    private static readonly Dictionary<string, string> Global = new(StringComparer.Ordinal) { ["repo1-type"] = "s3", ["repo1-s3-bucket"] = "b-1" };
    private static readonly Dictionary<string, string> Member = new(StringComparer.Ordinal) { ["pg1-path"] = "/var/lib/postgresql/15/main" };
    private static readonly RepoSecret[] Secrets = [new("repo1-s3-key", "S3_ID_ENV", "AKIDVALUE"), new("repo1-s3-key-secret", "S3_SECRET_ENV", "s3cr3t/VALUE+x")];

    [Fact]
    public void Render_PutsTheKeysIntoGlobal()
    {
        var text = PgBackRestConfig.Render(Global, "main", Member, Secrets);
        text.ShouldContain("\nrepo1-s3-key=AKIDVALUE\n");
        text.ShouldContain("\nrepo1-s3-key-secret=s3cr3t/VALUE+x\n");
        text.IndexOf("repo1-s3-key-secret", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("[main]", StringComparison.Ordinal));
    }

    [Fact]
    public void Redacted_NamesTheKeysAndHoldsNoValue()
    {
        var text = PgBackRestConfig.Redacted(Global, "main", Member, Secrets);
        text.ShouldContain("repo1-s3-key-secret=<secret S3_SECRET_ENV>");
        text.ShouldNotContain("AKIDVALUE");
        text.ShouldNotContain("s3cr3t");
    }

    [Fact]
    public void RepoSecret_ToString_DoesNotPrintTheValue() =>
        Secrets[1].ToString().ShouldNotContain("s3cr3t");

    [Theory]
    [InlineData("ERROR: [039]: unable to load info file\n  ProtocolError: HTTP request failed with 403 (Forbidden):", RepoFault.Credentials)]
    [InlineData("[CryptoError] unable to verify certificate presented by '127.0.154.2:9000': [20] unable to get local issuer certificate", RepoFault.Tls)]
    [InlineData("ERROR: [095]: unable to find hostname '10.1.1.1' in certificate common name or subject alternative names", RepoFault.Tls)]
    [InlineData("HostConnectError: unable to connect to '127.0.154.2:9': [111] Connection refused", RepoFault.Unreachable)]
    [InlineData("status: error (other)\n [FileReadError] timeout after 3000ms waiting for read from '127.0.239.9:9000'", RepoFault.Unreachable)]
    [InlineData("[HostConnectError] timeout connecting to '127.0.239.9:9000'", RepoFault.Unreachable)]
    [InlineData("ERROR: [055]: unable to load info file '/pgbackrest/backup/x/backup.info': FileMissingError", RepoFault.Other)]
    public void Classify_ReadsPgBackRestsErrorClass(string output, RepoFault fault) =>
        PgBackRestFailure.Classify(output).ShouldBe(fault);

    [Fact]
    public void CommandLineSafe_LeavesOutWhatPgBackRestRefusesOnArgv()
    {
        var options = RepoOptions.PgBackRest(new RepoLocation("azure", "c-1", "/pg", null, "127.0.4.1", null) { Account = "acct", Port = 10000, CaFile = "/etc/ca.crt", UriStyle = "path" });
        options["repo1-azure-account"].ShouldBe("acct");
        options["repo1-storage-port"].ShouldBe("10000");
        options["repo1-storage-ca-file"].ShouldBe("/etc/ca.crt");
        options["repo1-azure-uri-style"].ShouldBe("path");
        PgBackRestConfig.CommandLineSafe(options).Select(o => o.Key).ShouldNotContain("repo1-azure-account");
        PgBackRestConfig.CommandLineSafe(options).Select(o => o.Key).ShouldNotContain("repo1-azure-endpoint");
        PgBackRestConfig.EnvironmentName("repo1-azure-account").ShouldBe("PGBACKREST_REPO1_AZURE_ACCOUNT");
    }

    [Fact]
    public void S3_PathStyleAndPortAndCa_AreOptions_AndLocalIgnoresThem()
    {
        var s3 = RepoOptions.PgBackRest(new RepoLocation("s3", "b-1", "/pg", "us-east-1", "127.0.4.2", null) { Port = 9000, CaFile = "/ca.crt", UriStyle = "path", IoTimeoutS = 5 });
        s3["repo1-s3-uri-style"].ShouldBe("path");
        s3["repo1-storage-port"].ShouldBe("9000");
        s3["io-timeout"].ShouldBe("5");
        RepoOptions.PgBackRest(new RepoLocation("local", "b-1", "/pg", null, null, "/srv") { Port = 9000, CaFile = "/ca.crt" }).Keys.ShouldBe(["repo1-path", "repo1-type"]);
    }
}
