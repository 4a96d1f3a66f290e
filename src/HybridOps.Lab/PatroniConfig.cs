using System.Globalization;
using System.Text;

namespace HybridOps.Lab;

/// <summary>
/// Renders a member's patroni.yml. The file holds no passwords: usernames are here, passwords come
/// from PATRONI_SUPERUSER_PASSWORD / PATRONI_REPLICATION_PASSWORD in the daemon's environment.
/// Timings are tuned for a fast lab: ttl 10, loop_wait 2, retry_timeout 4 (Patroni's rule is
/// loop_wait + 2 * retry_timeout &lt;= ttl; 5 would break it).
/// </summary>
internal static class PatroniConfig
{
    public static string Render(LabOptions options, LabLayout layout, LabMember member)
    {
        var name = member.Name;
        var yaml = new StringBuilder();
        void Line(string text) => yaml.Append(text).Append('\n');

        Line($"scope: {Q(options.ClusterName)}");
        Line($"name: {Q(name)}");
        Line("log:\n  level: INFO");
        Line("watchdog:\n  mode: 'off'");
        Line("restapi:");
        Line($"  listen: {Q(member.ApiEndpoint)}");
        Line($"  connect_address: {Q(member.ApiEndpoint)}");
        Line("etcd3:");
        Line($"  hosts: {Q($"{options.Topology.EtcdHost}:{options.Topology.EtcdClientPort.ToString(CultureInfo.InvariantCulture)}")}");
        Line("  protocol: http");
        Line("bootstrap:");
        Line("  dcs:");
        Line("    ttl: 10\n    loop_wait: 2\n    retry_timeout: 4");
        Line("    maximum_lag_on_failover: 1048576");
        Line("    postgresql:");
        Line("      use_pg_rewind: true\n      use_slots: true");
        Line("      parameters:");
        // Cluster-wide parameters live in the DCS so later modules change them through Patroni.
        // archive_mode is on from the start with a no-op command: a backup module swaps the
        // command via the DCS later without the restart that toggling archive_mode would need.
        Line("        wal_level: logical\n        max_wal_senders: 10\n        max_replication_slots: 10");
        Line("        wal_keep_size: 256MB\n        hot_standby: 'on'\n        max_connections: 50");
        Line("        archive_mode: 'on'\n        archive_command: /bin/true\n        shared_buffers: 32MB");
        // pg_hba lives in the DCS too (local patroni.yml would take precedence over it), so modules
        // change access rules through Patroni's PATCH /config: a DR source allowlist, a fence.
        Line("      pg_hba:");
        Line("      - local all all trust");
        Line("      - host all all 127.0.0.0/8 scram-sha-256");
        Line($"      - host replication {LabOptions.ReplicationUserName} 127.0.0.0/8 scram-sha-256");
        Line("  initdb:");
        Line("  - auth-host: scram-sha-256\n  - auth-local: trust\n  - encoding: UTF8\n  - data-checksums");
        Line("postgresql:");
        Line($"  listen: {Q(member.PostgresEndpoint)}");
        Line($"  connect_address: {Q(member.PostgresEndpoint)}");
        Line($"  data_dir: {Q(layout.DataDir(name))}");
        Line($"  bin_dir: {Q(options.PostgresBinDir)}");
        Line($"  pgpass: {Q(layout.PgPass(name))}");
        // Patroni talks to its own PostgreSQL over the unix socket: a fence (pg_hba rejecting every
        // TCP client, local kept) must not lock the HA agent out of the member it manages.
        Line("  use_unix_socket: true");
        Line("  authentication:");
        Line($"    superuser:\n      username: {Q(LabOptions.SuperuserName)}");
        Line($"    replication:\n      username: {Q(LabOptions.ReplicationUserName)}");
        Line("  parameters:");
        Line($"    unix_socket_directories: {Q(layout.SocketDir(name))}");
        return yaml.ToString();
    }

    /// <summary>YAML single-quoted scalar: only the quote itself needs escaping (doubled).</summary>
    private static string Q(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
