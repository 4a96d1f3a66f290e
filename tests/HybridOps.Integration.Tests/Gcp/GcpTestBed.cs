using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Providers.Gcp;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>The fake on 127.0.215.x, a generated service-account key it trusts, and the real clients pointed at it.</summary>
internal sealed class GcpTestBed : IAsyncDisposable
{
    public const string Project = "hyops-test-project";
    public const string Region = "europe-west2";

    private GcpTestBed(FakeGoogleCloud fake, ServiceAccountKeyFile key, GcpApis apis, string dir)
    {
        Fake = fake;
        Key = key;
        Apis = apis;
        Dir = dir;
    }

    public FakeGoogleCloud Fake { get; }

    public ServiceAccountKeyFile Key { get; }

    public GcpApis Apis { get; }

    public string Dir { get; }

    public static GcpTestBed Create(Func<GcpSettings, GcpSettings>? tune = null, IFakeInstanceBackend? backend = null)
    {
        var dir = Directory.CreateTempSubdirectory("hyops-gcp-").FullName;
        var fake = new FakeGoogleCloud("127.0.215", Project, Region, backend);
        var key = new ServiceAccountKeyFile(dir, fake.TokenUrl, Project);
        fake.TrustKey(key);
        var settings = Settings(fake);
        settings = tune?.Invoke(settings) ?? settings;
        return new GcpTestBed(fake, key, new GcpApis(settings, new ServiceAccountTokenSource(() => key.Path, TimeProvider.System), TimeProvider.System), dir);
    }

    public static GcpSettings Settings(FakeGoogleCloud fake) => new(Project, Region)
    {
        SqlAdminBase = fake.SqlAdminUrl,
        DataMigrationBase = fake.DataMigrationUrl,
        DnsBase = fake.DnsUrl,
        PollInterval = TimeSpan.FromMilliseconds(10),
        OperationBudget = TimeSpan.FromSeconds(30),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    public async ValueTask DisposeAsync()
    {
        Apis.Dispose();
        Key.Dispose();
        await Fake.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
