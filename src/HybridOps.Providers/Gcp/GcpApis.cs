namespace HybridOps.Providers.Gcp;

/// <summary>
/// The three typed clients, one HttpClient each (its own base URL and connection pool), sharing one
/// token source. The HttpClient timeout is off: each attempt's timeout is the retry policy's.
/// </summary>
public sealed class GcpApis : IDisposable
{
    private readonly List<HttpClient> owned = [];

    public GcpApis(GcpSettings settings, IGcpTokenSource tokens, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        SqlAdmin = new SqlAdminApi(new GcpRestClient("sqladmin", Http(settings.SqlAdminBase), tokens, settings, time));
        DataMigration = new DataMigrationApi(new GcpRestClient("datamigration", Http(settings.DataMigrationBase), tokens, settings, time));
        Dns = new CloudDnsApi(new GcpRestClient("dns", Http(settings.DnsBase), tokens, settings, time));
    }

    public GcpSettings Settings { get; }

    public SqlAdminApi SqlAdmin { get; }

    public DataMigrationApi DataMigration { get; }

    public CloudDnsApi Dns { get; }

    /// <summary>Every call of the three clients, for the run record.</summary>
    public IEnumerable<GcpCallRecord> Calls => SqlAdmin.Client.Calls.Concat(DataMigration.Client.Calls).Concat(Dns.Client.Calls);

    public void ClearCalls()
    {
        SqlAdmin.Client.Calls.Clear();
        DataMigration.Client.Calls.Clear();
        Dns.Client.Calls.Clear();
    }

    public void Dispose()
    {
        foreach (var client in owned)
        {
            client.Dispose();
        }
    }

    private HttpClient Http(Uri baseAddress)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        owned.Add(client);
        return client;
    }
}
