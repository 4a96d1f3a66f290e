using System.Globalization;
using System.Text;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// patroni.yml of a restored member: a NEW scope whose bootstrap is Patroni's custom method
/// `pgbackrest` (restore, then recovery with archive-get and promote). No passwords: Patroni gets
/// them from PATRONI_SUPERUSER_PASSWORD / PATRONI_REPLICATION_PASSWORD in its environment. DCS
/// settings mirror the lab (fast ttl/loop_wait, pg_hba in the DCS); archive_command starts as
/// /bin/true so the new cluster never writes into the source stanza until a backup module says so.
/// </summary>
public static class RestorePatroniConfig
{
    public sealed record Settings(
        string Scope, RestoreHost Host, IReadOnlyList<string> DcsEndpoints, string PostgresBinDir,
        string SuperuserName, string ReplicationUserName, string BootstrapCommand, string RestoreCommand,
        IReadOnlyDictionary<string, string> RecoveryTarget)
    {
        /// <summary>Replicas clone with pg_basebackup --checkpoint=fast (no wait for a spread checkpoint).</summary>
        public bool FastBasebackup { get; init; }

        /// <summary>"http" or "https": how Patroni reaches etcd.</summary>
        public string DcsProtocol { get; init; } = "http";

        /// <summary>With https: the CA certificate file on the host Patroni verifies etcd with; null: the host's trust store.</summary>
        public string? DcsCaFile { get; init; }

        /// <summary>The networks pg_hba admits (scram) for clients and replication: the site's networks.</summary>
        public IReadOnlyList<string> ClientNetworks { get; init; } = ["127.0.0.0/8"];
    }

    public static string Render(Settings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var yaml = new StringBuilder();
        void Line(string text) => yaml.Append(text).Append('\n');
        var h = s.Host;
        var pg = $"{h.Host}:{h.PgPort.ToString(CultureInfo.InvariantCulture)}";
        var api = $"{h.Host}:{h.ApiPort.ToString(CultureInfo.InvariantCulture)}";

        Line($"scope: {Q(s.Scope)}");
        Line($"name: {Q(h.Name)}");
        Line("log:\n  level: INFO");
        Line("watchdog:\n  mode: 'off'");
        Line("restapi:");
        Line($"  listen: {Q(api)}");
        Line($"  connect_address: {Q(api)}");
        Line("etcd3:");
        Line("  hosts:");
        foreach (var e in s.DcsEndpoints)
        {
            Line($"  - {Q(e)}");
        }

        Line($"  protocol: {s.DcsProtocol}");
        if (s.DcsCaFile is not null)
        {
            Line($"  cacert: {Q(s.DcsCaFile)}");
        }

        Line("bootstrap:");
        if (s.BootstrapCommand.Length == 0)
        {
            // apply_mode reseed: a brand-new lineage (fresh initdb, new system identifier).
            Line("  initdb:\n  - encoding: UTF8\n  - locale: C\n  - data-checksums");
        }
        else
        {
            Line("  method: pgbackrest");
            Line("  pgbackrest:");
            Line($"    command: {Q(s.BootstrapCommand)}");
            Line("    keep_existing_recovery_conf: false");
            Line("    no_params: true");
            Line("    recovery_conf:");
            Line($"      restore_command: {Q(s.RestoreCommand)}");
            Line("      recovery_target_action: promote");
            Line("      recovery_target_timeline: latest");
            foreach (var (key, value) in s.RecoveryTarget.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Line($"      {key}: {Q(value)}");
            }
        }

        Line("  dcs:");
        Line("    ttl: 10\n    loop_wait: 2\n    retry_timeout: 4");
        Line("    maximum_lag_on_failover: 1048576");
        Line("    postgresql:");
        Line("      use_pg_rewind: true\n      use_slots: true");
        Line("      parameters:");
        Line("        wal_level: logical\n        max_wal_senders: 10\n        max_replication_slots: 10");
        Line("        wal_keep_size: 256MB\n        hot_standby: 'on'\n        max_connections: 50");
        Line("        archive_mode: 'on'\n        archive_command: /bin/true\n        shared_buffers: 32MB");
        Line("      pg_hba:");
        Line("      - local all all trust");
        foreach (var network in s.ClientNetworks)
        {
            Line($"      - host all all {network} scram-sha-256");
            Line($"      - host replication {s.ReplicationUserName} {network} scram-sha-256");
        }
        Line("postgresql:");
        Line($"  listen: {Q(pg)}");
        Line($"  connect_address: {Q(pg)}");
        Line($"  data_dir: {Q(h.DataDir)}");
        Line($"  bin_dir: {Q(s.PostgresBinDir)}");
        Line($"  pgpass: {Q(h.PgPass)}");
        // Local connections over the socket: during a custom bootstrap Patroni opens trust only for
        // local/listen addresses, and TCP to 127.x.y.z arrives from 127.0.0.1, which would not match.
        Line("  use_unix_socket: true");
        if (s.FastBasebackup)
        {
            Line("  basebackup:\n  - checkpoint: 'fast'");
        }

        Line("  authentication:");
        Line($"    superuser:\n      username: {Q(s.SuperuserName)}");
        Line($"    replication:\n      username: {Q(s.ReplicationUserName)}");
        Line("  parameters:");
        Line($"    unix_socket_directories: {Q(h.SocketDir)}");
        return yaml.ToString();
    }

    private static string Q(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
