using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Source;

/// <summary>
/// Input validation of platform/onprem/postgresql-dr-source and the fence guard, through the real
/// CLI and the repository's specs. The published cluster state points at 127.0.81.250, where
/// nothing listens: every refusal here must come before any connection, and leave the root unchanged.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class DrSourceInputValidationTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Dictionary<string, string> env;

    public DrSourceInputValidationTests()
    {
        env = new Dictionary<string, string>
        {
            ["HOME"] = dir.Combine("home"),
            ["HYOPS_CONTENT_ROOT"] = RepoRoot(),
            ["HYOPS_DR_REPLICATION_PASSWORD"] = "not-used-here",
            ["NOPE_PW"] = "not-used-either",
        };
        var states = new StateStore(Root, new Redactor());
        states.Write(State("platform/onprem/inventory", "onprem-inventory/v1", new JsonObject { ["cluster_name"] = "c1", ["contract_version"] = "onprem-inventory/v1" }));
        states.Write(State("platform/onprem/postgresql-ha", "postgresql-ha/v1", new JsonObject
        {
            ["cluster_name"] = "c1", ["system_identifier"] = "1", ["leader_name"] = "pg1", ["leader_host"] = "127.0.81.250", ["leader_port"] = 5432,
            ["db_user"] = "postgres", ["db_password_env"] = "NOPE_PW", ["ready"] = true, ["contract_version"] = "postgresql-ha/v1",
            ["members"] = new JsonArray(new JsonObject { ["name"] = "pg1", ["host"] = "127.0.81.250", ["port"] = 5432, ["api_url"] = "http://127.0.81.250:8008/patroni" }),
        }));
    }

    private string Root => dir.Combine("root");

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData("allowed_consumer_cidrs: [\"10.1.0.0/24\"]", "HYO2002", "source_databases")]
    [InlineData("source_databases: [app]", "HYO2040", "allowed_consumer_cidrs")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"0.0.0.0/0\"]", "HYO2041", "0.0.0.0/0")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"::/0\"]", "HYO2041", "::/0")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"10.0.0.0/7\"]", "HYO2041", "10.0.0.0/7")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"10.1.0.5/24\"]", "HYO2041", "10.1.0.0/24")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"not-a-cidr\"]", "HYO2041", "not-a-cidr")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"10.1.0.0/24\"]\ndr_mode: cold", "HYO2042", "dr_mode")]
    [InlineData("source_databases: [\"app; drop\"]\nallowed_consumer_cidrs: [\"10.1.0.0/24\"]", "HYO2042", "source_databases")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"10.1.0.0/24\"]\nreplication_user: \"\"", "HYO2002", "replication_user")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"10.1.0.0/24\"]\nreplication_password: \"s3cret\"", "HYO2004", "replication_password")]
    [InlineData("source_databases: [app]\nallowed_consumer_cidrs: [\"10.1.0.0/24\"]\ncluster_state_ref: \"\"", "HYO2002", "cluster_state_ref")]
    public async Task Deploy_WithABadInput_IsRefusedNamingIt_BeforeAnyConnection(string yaml, string code, string mention)
    {
        var before = TempDir.Snapshot(Root);

        var r = await RunAsync("platform/onprem/postgresql-dr-source", yaml);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain(code);
        r.Stderr.ShouldContain(mention);
        r.Stderr.ShouldNotContain("HYO4");
        r.Stderr.ShouldNotContain("s3cret");
        TempDir.Snapshot(Root).ShouldBe(before);
    }

    [Fact]
    public async Task Deploy_InExportMode_NeedsNoAllowlist_AndOnlyThenReachesForTheCluster()
    {
        var r = await RunAsync("platform/onprem/postgresql-dr-source", "dr_mode: export\nsource_databases: [app]\nconnect_timeout_s: 1");

        r.ExitCode.ShouldBe(4, r.ToString());
        r.Stderr.ShouldContain("HYO4030");
    }

    [Theory]
    [InlineData("", "HYO3001")]
    [InlineData("fence_confirm: c2", "HYO3021")]
    public async Task Fence_WithoutTheTypedClusterName_IsAGuardRefusal(string yaml, string code)
    {
        var before = TempDir.Snapshot(Root);

        var r = await RunAsync("platform/onprem/postgresql-fence", yaml);

        r.ExitCode.ShouldBe(3, r.ToString());
        r.Stderr.ShouldContain(code);

        // Only the refusal's own run record (auditable guards) may appear; no state, nothing else.
        TempDir.Snapshot(Root).Where(f => !f.Key.StartsWith("logs", StringComparison.Ordinal)).ShouldBe(before.Where(f => !f.Key.StartsWith("logs", StringComparison.Ordinal)));
    }

    private async Task<CliResult> RunAsync(string module, string yaml)
    {
        var inputs = dir.Write("inputs.yml", yaml + "\n");
        return await CliRunner.RunAsync(env, "--root", Root, "module", "deploy", "--module", module, "--inputs", inputs);
    }

    private static ModuleState State(string moduleRef, string contract, JsonObject outputs) => new()
    {
        ModuleRef = moduleRef, Status = StateStatus.Ok, Action = "deploy", RunId = "seed", UpdatedAt = DateTimeOffset.UnixEpoch, ContractVersion = contract, Outputs = outputs,
    };

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "hyops.slnx")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException("hyops.slnx not found above the test binaries");
    }
}
