using System.Text.Json.Nodes;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>Where PostgreSQL, Patroni and pgBackRest live on a host. Defaults are Debian's packages for PostgreSQL 15.</summary>
internal sealed record PostgresLayout(string BinDir, string DataDir, string SocketDir, string ConfigDir, string PgBackRestConfig)
{
    public static readonly PostgresLayout Debian = new(
        "/usr/lib/postgresql/15/bin", "/var/lib/postgresql/15/main", "/var/run/postgresql", "/etc/patroni", "/etc/pgbackrest/pgbackrest.conf");

    public static PostgresLayout Parse(string member, JsonObject? node, PostgresLayout defaults)
    {
        var layout = new PostgresLayout(
            node.Str("bin_dir") ?? defaults.BinDir,
            node.Str("data_dir") ?? defaults.DataDir,
            node.Str("socket_dir") ?? defaults.SocketDir,
            node.Str("config_dir") ?? defaults.ConfigDir,
            node.Str("pgbackrest_config") ?? defaults.PgBackRestConfig);
        foreach (var (key, path) in new[] { ("bin_dir", layout.BinDir), ("data_dir", layout.DataDir), ("socket_dir", layout.SocketDir), ("config_dir", layout.ConfigDir), ("pgbackrest_config", layout.PgBackRestConfig) })
        {
            if (!path.StartsWith('/'))
            {
                throw InventoryHost.Invalid(member, $"postgres.{key} '{path}' must be an absolute path on the host");
            }
        }

        return layout;
    }

    public static PostgresLayout FromDefaults(JsonObject? node) => node is null ? Debian : Parse("(postgres_defaults)", node, Debian);

    public JsonObject ToJson() => new()
    {
        ["bin_dir"] = BinDir,
        ["data_dir"] = DataDir,
        ["socket_dir"] = SocketDir,
        ["config_dir"] = ConfigDir,
        ["pgbackrest_config"] = PgBackRestConfig,
    };
}
