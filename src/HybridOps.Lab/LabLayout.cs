namespace HybridOps.Lab;

/// <summary>
/// Where everything lives inside the lab directory. One place so up, down and status agree:
/// <c>lab.json</c>, <c>etcd/{data,etcd.log}</c>, <c>pgN/{data,run,patroni.yml,patroni.log,pgpass}</c>.
/// </summary>
public sealed class LabLayout(string labDir)
{
    public string LabDir { get; } = Path.GetFullPath(labDir);

    public string StateFile => Path.Combine(LabDir, "lab.json");

    public string EtcdDir => Path.Combine(LabDir, "etcd");

    public string EtcdDataDir => Path.Combine(EtcdDir, "data");

    public string EtcdLog => Path.Combine(EtcdDir, "etcd.log");

    /// <summary>PowerDNS: pdns.conf (0600, holds the API key), the sqlite3 database, its log and control socket.</summary>
    public string DnsDir => Path.Combine(LabDir, "dns");

    public string DnsConfig => Path.Combine(DnsDir, "pdns.conf");

    public string DnsDatabase => Path.Combine(DnsDir, "pdns.sqlite3");

    public string DnsLog => Path.Combine(DnsDir, "pdns.log");

    /// <summary>The object-store site: Azurite and s3rver data, their TLS files and the lab CA.</summary>
    public string ObjectStoreDir => Path.Combine(LabDir, "objstore");

    public string TlsDir => Path.Combine(ObjectStoreDir, "tls");

    /// <summary>The lab CA that signed the object stores' certificates (pgBackRest repo1-storage-ca-file).</summary>
    public string CaFile => Path.Combine(TlsDir, "ca.crt");

    public string AzureDir => Path.Combine(ObjectStoreDir, "azurite");

    public string S3Dir => Path.Combine(ObjectStoreDir, "s3rver");

    public string S3Launcher => Path.Combine(ObjectStoreDir, "s3rver-launch.js");

    public string MemberDir(string member) => Path.Combine(LabDir, member);

    /// <summary>PGDATA; must be 0700 and owned by the server user or PostgreSQL refuses to start.</summary>
    public string DataDir(string member) => Path.Combine(MemberDir(member), "data");

    /// <summary>Per-member unix socket directory: all members use port 5432, so sockets would collide in /var/run/postgresql.</summary>
    public string SocketDir(string member) => Path.Combine(MemberDir(member), "run");

    public string PatroniConfig(string member) => Path.Combine(MemberDir(member), "patroni.yml");

    public string PatroniLog(string member) => Path.Combine(MemberDir(member), "patroni.log");

    public string PgPass(string member) => Path.Combine(MemberDir(member), "pgpass");

    public string PostmasterPidFile(string member) => Path.Combine(DataDir(member), "postmaster.pid");
}
