using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// The two ends of the managed DR link, from state only: the on-prem source (postgresql-dr-source/v1
/// plus the inventory's superuser for admin work) and the managed target (cloudsql-postgresql/v1).
/// Passwords are resolved from the env/vault key NAMES in those contracts and live only in memory.
/// </summary>
internal sealed partial class DrLink
{
    public const string SourceContract = "postgresql-dr-source/v1";
    public const string TargetContract = "cloudsql-postgresql/v1";
    public const string InventoryContract = "onprem-inventory/v1";

    private readonly ModuleContext context;

    public DrLink(ModuleContext context, JsonObject source, JsonObject target, JsonObject inventory)
    {
        this.context = context;
        Source = source;
        Target = target;
        Inventory = inventory;
        Databases = [.. source["source_databases"] is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "") : []];
    }

    public JsonObject Source { get; }
    public JsonObject Target { get; }
    public JsonObject Inventory { get; }
    public IReadOnlyList<string> Databases { get; }

    public string SourceHost => Source.Str("source_host")!;
    public int SourcePort => Source.Int("source_port") ?? 5432;
    public string ReplicationUser => Source.Str("replication_user")!;
    public string ReplicationPasswordEnv => Source.Str("replication_password_env")!;
    public string TargetName => Target.Str("instance_name")!;
    public string TargetHost => Target.Str("host")!;
    public int TargetPort => Target.Int("port") ?? 5432;
    public string TargetAdminUser => Target.Str("admin_user")!;

    public string SourceAdminUser => context.Inputs.String("source_admin_user") ?? Inventory.Str("superuser") ?? "postgres";

    public string SourceAdminPasswordEnv => context.Inputs.String("source_admin_password_env") ?? Inventory.Str("superuser_password_env")
        ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "source_admin_password_env is empty and the inventory names no superuser_password_env");

    public IEnumerable<string> PatroniApis => Inventory.Objects("members").Select(m => m.Str("api_url")).OfType<string>();

    public string SourceAdminPassword => context.Secrets.Resolve(SourceAdminPasswordEnv);

    public string TargetPassword => context.Secrets.Resolve(Target.Str("admin_password_env")!);

    public string ReplicationPassword => context.Secrets.Resolve(ReplicationPasswordEnv);

    /// <summary>
    /// Admin SQL on the source leader: through its local unix socket when that socket exists on this
    /// host (a fence rejects TCP but keeps `local` access, so the barrier, lag probe and sequence read
    /// still work after the fence), else over TCP.
    /// </summary>
    public PgEndpoint SourceAdmin(string db) => SourceOverSsh() is { } tunnel
        ? new PgEndpoint("127.0.0.1", tunnel.Port, SourceAdminUser, SourceAdminPassword, db)
        : new(SourceSocketDir ?? SourceHost, SourcePort, SourceAdminUser, SourceAdminPassword, db);

    /// <summary>
    /// A source leader reached over ssh: its unix socket through a <see cref="Postgres.Hosts.SocketTunnel"/>
    /// (the server sees a local connection from the service user, so a fence that rejects TCP leaves
    /// hyops' admin session working, as on a member of this machine). Null for other members.
    /// </summary>
    private Postgres.Hosts.SocketTunnel? SourceOverSsh() =>
        context.Inputs.String("source_socket_dir") is null && Inventory.Objects("members").FirstOrDefault(m => m.Str("host") == SourceHost) is { } member
            ? InventoryHosts.SocketTunnelTo(member, (member["postgres"] as JsonObject).Str("socket_dir") ?? Platform.Onprem.Inventory.PostgresLayout.Debian.SocketDir, SourcePort)
            : null;

    /// <summary>
    /// The source leader's socket dir when its socket file exists here: input source_socket_dir, else the
    /// socket_dir the site inventory publishes for the member whose host is the source host, when that
    /// member is on this machine (the local transport); a member reached over ssh has no socket here.
    /// </summary>
    public string? SourceSocketDir
    {
        get
        {
            var dir = context.Inputs.String("source_socket_dir");
            if (dir is null && Inventory.Objects("members").FirstOrDefault(m => m.Str("host") == SourceHost) is { } member
                && (member["ssh"] as JsonObject).Str("transport") == "local")
            {
                dir = (member["postgres"] as JsonObject).Str("socket_dir");
            }

            return dir is not null && File.Exists(Path.Combine(dir, $".s.PGSQL.{SourcePort.ToString(System.Globalization.CultureInfo.InvariantCulture)}")) ? dir : null;
        }
    }

    /// <summary>
    /// hyops' own admin (control-plane) session on the target. A standby refuses writes for every client
    /// session (provider default plus StandbyWriteGuard); hyops' own session turns the default off and
    /// runs as session_replication_role = replica (superuser-only, like the apply worker) so the guard's
    /// triggers let its subscription and sequence work through. A client session has neither.
    /// </summary>
    public PgEndpoint TargetAdmin(string db) => new(TargetHost, TargetPort, TargetAdminUser, TargetPassword, db) { Options = AdminSessionOptions };

    public const string AdminSessionOptions = "-c default_transaction_read_only=off -c session_replication_role=replica";

    /// <summary>Slot and subscription name of one database (both cluster-wide names, hence per database).</summary>
    public static string LinkName(string db) => "hyops_dr_" + NonWord().Replace(db.ToLowerInvariant(), "_");

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonWord();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex DatabaseName();

    /// <summary>Reads and checks the referenced contracts (pure: state only).</summary>
    public static DrLink From(ModuleContext context, string sourceInput, string targetInput)
    {
        var source = Require(context, sourceInput, SourceContract);
        var target = Require(context, targetInput, TargetContract);
        var inventory = Require(context, "inventory_state_ref", InventoryContract);
        var link = new DrLink(context, source, target, inventory);
        if (link.Databases.Count == 0 || link.Databases.Any(d => !DatabaseName().IsMatch(d)))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"the DR source publishes source_databases [{string.Join(", ", link.Databases)}]; need one or more plain database names");
        }

        foreach (var key in new[] { "source_host", "replication_user", "replication_password_env" })
        {
            if (source.Str(key) is null)
            {
                throw HyopsException.From(DiagnosticCatalog.StateContractVersion, $"the DR source state publishes no '{key}'");
            }
        }

        return link;
    }

    public static JsonObject Require(ModuleContext context, string input, string version)
    {
        var state = context.Inputs.State(input) ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, $"input '{input}' must reference a published state");
        var actual = state.Outputs.Str("contract_version");
        if (actual != version)
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion, $"state '{state.ModuleRef}' ({input}) has contract_version '{actual ?? "none"}', this module reads '{version}'");
        }

        return state.Outputs;
    }

    public JsonObject Identifiers() => new()
    {
        ["source_cluster_name"] = Source.Str("source_cluster_name"),
        ["source_system_identifier"] = Source["source_system_identifier"]?.DeepClone(),
        ["source_host"] = SourceHost,
        ["source_port"] = SourcePort,
        ["source_databases"] = Databases.ToJsonArray(),
        ["target_instance"] = TargetName,
        ["target_host"] = TargetHost,
        ["target_port"] = TargetPort,
        ["replication_user"] = ReplicationUser,
        ["replication_password_env"] = ReplicationPasswordEnv,
    };
}
