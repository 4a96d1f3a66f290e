using System.Globalization;
using System.Text;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Lab.Site;

/// <summary>
/// What runs on the lab's hosts, as a real site would run it: service definitions for the host's
/// service manager and the files they read, all in the standard places (Debian layout).
/// Secret-bearing files (0600, owned by the service user): /etc/patroni/patroni.env (the PostgreSQL
/// passwords, read by Patroni from its environment), /etc/powerdns/pdns.conf (the API key), and on the DR
/// site's etcd host /etc/hyops-etcd/server.key (its TLS key).
/// </summary>
internal static class SiteLabServices
{
    public const string PatroniConfig = "/etc/patroni/patroni.yml";
    public const string PatroniEnv = "/etc/patroni/patroni.env";
    public const string DataDir = "/var/lib/postgresql/15/main";
    public const string SocketDir = "/var/run/postgresql";
    public const string BinDir = "/usr/lib/postgresql/15/bin";
    public const string PgPass = "/var/lib/postgresql/.pgpass.patroni";
    public const string EtcdDataDir = "/var/lib/etcd/default";

    /// <summary>The DR site's etcd server certificate and key (0600, owned by the service user) on its host.</summary>
    public const string EtcdTlsDir = "/etc/hyops-etcd";
    public const string PdnsConfigDir = "/etc/powerdns";
    public const string PdnsDatabase = "/var/lib/powerdns/pdns.sqlite3";
    public const string PdnsSchema = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

    public static ServiceUnit Etcd(SiteLabPlan plan, string clusterName) => Etcd(plan, SiteLabPlan.EtcdHost, clusterName, "etcd (DCS of the on-prem site)");

    /// <summary>A one-member etcd on <paramref name="host"/>; <paramref name="token"/> keeps two sites' clusters apart.</summary>
    public static ServiceUnit Etcd(SiteLabPlan plan, string host, string token, string description)
    {
        var address = plan.AddressOf(host);
        var client = plan.EtcdClientUrlOf(host);
        var peer = $"http://{address}:{SiteLabPlan.EtcdPeerPort.ToString(CultureInfo.InvariantCulture)}";
        return new ServiceUnit("etcd",
        [
            "/usr/bin/etcd", "--name", "etcd1", "--data-dir", EtcdDataDir,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"etcd1={peer}", "--initial-cluster-state", "new",
            "--initial-cluster-token", token, "--logger", "zap",
            .. client.StartsWith("https://", StringComparison.Ordinal) ? new[] { "--cert-file", EtcdTlsDir + "/server.crt", "--key-file", EtcdTlsDir + "/server.key" } : [],
        ], "postgres", "/var/log/hyops/etcd.log") { WorkingDirectory = "/var/lib/etcd", Description = description };
    }

    public static ServiceUnit Patroni() =>
        new("patroni", ["/usr/bin/patroni", PatroniConfig], "postgres", "/var/log/hyops/patroni.log")
        {
            EnvironmentFile = PatroniEnv,
            WorkingDirectory = "/var/lib/postgresql",
            Description = "Patroni (PostgreSQL 15 HA agent)",
        };

    public static ServiceUnit Pdns() =>
        new("pdns", ["/usr/sbin/pdns_server", $"--config-dir={PdnsConfigDir}"], "pdns", "/var/log/hyops/pdns.log")
        {
            WorkingDirectory = "/var/lib/powerdns",
            Description = "PowerDNS authoritative server (runs as pdns; the host lets it bind :53)",
        };

    public static string PatroniEnvironment(SiteLabOptions options) => ServiceEnvironmentFile.Render(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATRONI_SUPERUSER_USERNAME"] = SiteLabOptions.SuperuserName,
        ["PATRONI_SUPERUSER_PASSWORD"] = options.SuperuserPassword,
        ["PATRONI_REPLICATION_USERNAME"] = SiteLabOptions.ReplicationUserName,
        ["PATRONI_REPLICATION_PASSWORD"] = options.ReplicationPassword,
    });

    /// <summary>patroni.yml of one member: no password (those come from <see cref="PatroniEnv"/>); pg_hba admits the site network only.</summary>
    public static string PatroniYaml(SiteLabPlan plan, string clusterName, LabMember member)
    {
        var y = new StringBuilder();
        void L(string text) => y.Append(text).Append('\n');
        var etcd = $"{plan.AddressOf(SiteLabPlan.EtcdHost)}:{SiteLabPlan.EtcdClientPort.ToString(CultureInfo.InvariantCulture)}";
        L($"scope: {Q(clusterName)}");
        L($"name: {Q(member.Name)}");
        L("log:\n  level: INFO");
        L("watchdog:\n  mode: 'off'");
        L($"restapi:\n  listen: {Q(member.ApiEndpoint)}\n  connect_address: {Q(member.ApiEndpoint)}");
        L($"etcd3:\n  hosts: {Q(etcd)}\n  protocol: http");
        L("bootstrap:\n  dcs:\n    ttl: 10\n    loop_wait: 2\n    retry_timeout: 4\n    maximum_lag_on_failover: 1048576");
        L("    postgresql:\n      use_pg_rewind: true\n      use_slots: true\n      parameters:");
        L("        wal_level: logical\n        max_wal_senders: 10\n        max_replication_slots: 10");
        L("        wal_keep_size: 256MB\n        hot_standby: 'on'\n        max_connections: 50");
        L("        archive_mode: 'on'\n        archive_command: /bin/true\n        shared_buffers: 32MB");
        L("      pg_hba:");
        L("      - local all all peer");
        L($"      - host all all {plan.Network} scram-sha-256");
        L($"      - host replication {SiteLabOptions.ReplicationUserName} {plan.Network} scram-sha-256");
        L("  initdb:\n  - auth-host: scram-sha-256\n  - auth-local: peer\n  - encoding: UTF8\n  - data-checksums");
        L($"postgresql:\n  listen: {Q(member.PostgresEndpoint)}\n  connect_address: {Q(member.PostgresEndpoint)}");
        L($"  data_dir: {Q(DataDir)}\n  bin_dir: {Q(BinDir)}\n  pgpass: {Q(PgPass)}");
        L("  use_unix_socket: true");
        L($"  authentication:\n    superuser:\n      username: {Q(SiteLabOptions.SuperuserName)}\n    replication:\n      username: {Q(SiteLabOptions.ReplicationUserName)}");
        L($"  parameters:\n    unix_socket_directories: {Q(SocketDir)}");
        return y.ToString();
    }

    public static string PdnsConf(SiteLabPlan plan, string apiKey)
    {
        var address = plan.AddressOf(SiteLabPlan.DnsHost);
        return string.Join('\n',
            "# Written by hyops lab up. Holds the API key: 0600.",
            "launch=gsqlite3",
            $"gsqlite3-database={PdnsDatabase}",
            $"local-address={address}",
            $"local-port={SiteLabPlan.DnsPort.ToString(CultureInfo.InvariantCulture)}",
            "webserver=yes",
            $"webserver-address={address}",
            $"webserver-port={SiteLabPlan.DnsApiPort.ToString(CultureInfo.InvariantCulture)}",
            $"webserver-allow-from={plan.Network}",
            "api=yes",
            $"api-key={apiKey}",
            "daemon=no", "guardian=no", "disable-syslog=yes", "write-pid=no",
            "socket-dir=/run/pdns",
            "security-poll-suffix=", "cache-ttl=0", "negquery-cache-ttl=0", "query-cache-ttl=0", "loglevel=4", "");
    }

    /// <summary>YAML single-quoted scalar.</summary>
    private static string Q(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
