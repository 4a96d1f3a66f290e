using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// A site whose gcp provider talks to the fake (APIs on 127.0.245.1-4) with real PostgreSQL servers
/// behind its instances (127.0.243.x): the key file env, the `gcp` inputs pointing at the fake, every
/// CLI output kept for the secret scan.
/// </summary>
internal sealed class GcpFakeSite : IAsyncDisposable
{
    public const string KeyEnv = "HYOPS_TEST_GCP_KEY_FILE";
    private readonly List<string> output = [];

    /// <param name="site">The on-prem lab.</param>
    /// <param name="apiPrefix">Loopback /24 of the fake's four listeners.</param>
    /// <param name="instancePrefix">Loopback /24 of the real servers behind the fake's instances.</param>
    /// <param name="replicate">True: a started DMS job replicates real data from the lab (<see cref="FakeDmsReplication"/>).</param>
    /// <param name="instanceHost">Set: every instance's server listens on this address of this machine (see <see cref="LocalPostgresBackend"/>).</param>
    public GcpFakeSite(Site site, string apiPrefix = "127.0.245", string instancePrefix = "127.0.243", bool replicate = false, string? instanceHost = null)
    {
        Site = site;
        Backend = new LocalPostgresBackend(Path.Combine(site.Dir, "fake-cloudsql"), instancePrefix, instanceHost);
        Fake = new FakeGoogleCloud(apiPrefix, GcpTestBed.Project, GcpTestBed.Region, Backend);
        if (replicate)
        {
            Fake.DataMigration.Replication = new FakeDmsReplication(Backend, "postgres", site.SuperuserPassword);
        }

        Key = new ServiceAccountKeyFile(site.Dir, Fake.TokenUrl, GcpTestBed.Project);
        Fake.TrustKey(Key);
        site.Environment[KeyEnv] = Key.Path;
    }

    public Site Site { get; }

    public LocalPostgresBackend Backend { get; }

    public FakeGoogleCloud Fake { get; }

    public ServiceAccountKeyFile Key { get; }

    /// <summary>The module's `gcp` input: the test project, the key env, fast polling, the fake's URLs.</summary>
    public JsonObject GcpInputs() => new()
    {
        ["project"] = GcpTestBed.Project,
        ["credentials_env"] = KeyEnv,
        ["poll_interval_ms"] = 20,
        ["operation_budget_s"] = 120,
        ["api_endpoints"] = new JsonObject { ["sqladmin"] = Fake.SqlAdminUrl.ToString(), ["datamigration"] = Fake.DataMigrationUrl.ToString(), ["dns"] = Fake.DnsUrl.ToString() },
    };

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var r = await Site.HyopsAsync(["--output", "json", .. args]);
        output.Add(r.StdOut);
        output.Add(r.StdErr);
        return r;
    }

    public Task<CliResult> ModuleAsync(string action, string module, JsonObject inputs) =>
        RunAsync("module", action, "--module", module, "--inputs", Site.WriteInputs($"in-{output.Count}.json", inputs));

    /// <summary>No line of the private key, no issued token and none of <paramref name="secrets"/> in any runtime file or CLI output.</summary>
    public void AssertNoSecretAnywhere(params string[] secrets)
    {
        var needles = Key.PrivateKeyPem.Split('\n').Where(l => l.Length > 20 && !l.StartsWith("-----", StringComparison.Ordinal))
            .Concat(Fake.Token!.Issued).Concat(secrets).ToList();
        var haystacks = Site.RuntimeFiles().Concat(output.Select((o, k) => ($"output {k}", o))).ToList();
        haystacks.Count.ShouldBeGreaterThan(3);
        foreach (var (path, text) in haystacks)
        {
            needles.ShouldAllBe(n => !text.Contains(n, StringComparison.Ordinal), $"{path} holds a secret");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        await Backend.DisposeAsync();
        Key.Dispose();
    }
}
