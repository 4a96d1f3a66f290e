namespace HybridOps.Providers.Local;

/// <summary>
/// The embedded provider's site: instance N listens on &lt;AddressPrefix&gt;.(10+N):5432 (or, on a host,
/// &lt;HostAddress&gt;:(5431+N)), its files live
/// under &lt;DataRoot&gt;/instances/&lt;name&gt;, and &lt;DataRoot&gt;/processes.json lists what runs (for `lab down`).
/// </summary>
public sealed record LocalProviderOptions(string DataRoot, string AddressPrefix)
{
    public string PgBinDir { get; init; } = "/usr/lib/postgresql/15/bin";

    public string OsUser { get; init; } = "postgres";

    public int Port { get; init; } = 5432;

    public string ProcessesFile => Path.Combine(DataRoot, "processes.json");

    public string InstanceDir(string name) => Path.Combine(DataRoot, "instances", name);

    public string DataDir(string name) => Path.Combine(InstanceDir(name), "data");

    public string SocketDir(string name) => Path.Combine(InstanceDir(name), "run");

    public string MetadataFile(string name) => Path.Combine(InstanceDir(name), "instance.json");

    /// <summary>The 0600 server-user file with the password the instance uses to reach its replication source.</summary>
    public string SourcePassfile(string name) => Path.Combine(InstanceDir(name), "source.pgpass");

    public string LogFile(string name) => Path.Combine(InstanceDir(name), "postgres.log");

    /// <summary>
    /// Set when the instances run on one host reached over SSH: every instance listens on this address,
    /// instance N on port <see cref="Port"/> + N - 1 (on this machine instance N has its own address).
    /// </summary>
    public string? HostAddress { get; init; }

    public string Host(int index) => HostAddress ?? $"{AddressPrefix}.{10 + index}";

    public int PortOf(int index) => HostAddress is null ? Port : Port + index - 1;
}
