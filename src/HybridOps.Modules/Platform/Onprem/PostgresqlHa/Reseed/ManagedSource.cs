using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Reseed;

/// <summary>The managed primary a reseed copies, read ONLY from its org/gcp/cloudsql-postgresql state (FBK-3.3a).</summary>
internal sealed record ManagedSource(string Instance, string Provider, string Host, int Port, string AdminUser, string PasswordEnv, bool Fenced, string Role)
{
    public const string Contract = "cloudsql-postgresql/v1";

    public static ManagedSource From(ModuleContext context)
    {
        var state = context.Inputs.State("source_state_ref")
            ?? throw HyopsException.From(DiagnosticCatalog.ReseedSourceInvalid, "input 'source_state_ref' must reference the managed primary's org/gcp/cloudsql-postgresql state");
        var o = state.Outputs;
        if (o.Str("contract_version") != Contract || o.Str("host") is null || o.Str("admin_password_env") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.ReseedSourceInvalid,
                $"source_state_ref '{state.ModuleRef}' has contract_version '{o.Str("contract_version") ?? "none"}' (this module reads '{Contract}' with host and admin_password_env)");
        }

        return new ManagedSource(o.Str("instance_name")!, o.Str("provider") ?? "", o.Str("host")!, o.Int("port") ?? 5432, o.Str("admin_user")!,
            o.Str("admin_password_env")!, o["write_fenced"] is JsonValue v && v.TryGetValue<bool>(out var f) && f, o.Str("role") ?? "");
    }

    public PgEndpoint Endpoint(string password, string database = "postgres") => new(Host, Port, AdminUser, password, database);

    public JsonObject ToJson() => new()
    {
        ["instance_name"] = Instance, ["provider"] = Provider, ["host"] = Host, ["port"] = Port, ["admin_user"] = AdminUser,
        ["admin_password_env"] = PasswordEnv, ["write_fenced"] = Fenced,
    };
}
