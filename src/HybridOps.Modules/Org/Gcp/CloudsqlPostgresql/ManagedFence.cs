using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Sql;
using HybridOps.Providers.Managed;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPostgresql;

/// <summary>
/// apply_mode fence of org/gcp/cloudsql-postgresql: makes a managed PRIMARY refuse writes before a
/// failback copies it. Through the provider: database flag default_transaction_read_only = on
/// (Cloud SQL settings.databaseFlags). Then every client session is terminated so no transaction
/// opened before the flag can still commit, and a fresh session proves that an ordinary write
/// (DDL in a transaction, rolled back) fails with SQLSTATE 25006.
/// </summary>
internal static class ManagedFence
{
    public const string ReadOnlyFlag = "default_transaction_read_only";

    public static bool IsFenced(ManagedInstance instance) =>
        instance.DatabaseFlags.TryGetValue(ReadOnlyFlag, out var v) && v == "on";

    public static async Task<JsonObject> FenceAsync(ModuleContext context, IManagedPostgresProvider provider, ManagedInstance instance, string password, CancellationToken ct)
    {
        context.Evidence.Guard("fence_confirm", true, new JsonObject
        {
            ["instance_name"] = instance.Name, ["typed"] = context.Inputs.String("fence_confirm"), ["operator"] = Environment.UserName,
            ["at"] = context.Time.GetUtcNow().ToString("O"), ["run_id"] = context.RunId,
        });
        if (instance.Role != InstanceRole.Primary)
        {
            context.Evidence.Check("instance_is_primary", false, new JsonObject { ["role"] = "standby" }, DiagnosticCatalog.ManagedFenceNotPrimary.Code);
            throw HyopsException.From(DiagnosticCatalog.ManagedFenceNotPrimary, $"instance '{instance.Name}' is a standby; only a promoted managed primary is fenced for failback");
        }

        var flags = instance.DatabaseFlags.SetItem(ReadOnlyFlag, "on");
        context.Evidence.Append("provider_operation", (await provider.PatchDatabaseFlagsAsync(instance.Name, flags, ct)).ToJson());
        var endpoint = new PgEndpoint(instance.IpAddress, instance.Port, instance.AdminUser, password);
        int terminated;
        await using (var conn = await Sql.OpenAsync(endpoint, ct))
        {
            terminated = await Sql.ScalarAsync<int>(conn,
                "select count(*)::int from (select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend') t", ct);
        }

        var probe = await ProbeAsync(endpoint, ct);
        var fenced = probe.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction;
        context.Evidence.Check("managed_write_refused", fenced, new JsonObject
        {
            ["endpoint"] = endpoint.ToString(), ["flag"] = $"{ReadOnlyFlag}=on", ["sessions_terminated"] = terminated,
            ["probe_outcome"] = probe.Outcome, ["sqlstate"] = probe.SqlState, ["detail"] = probe.Detail,
        }, fenced ? null : DiagnosticCatalog.ManagedFenceNotProven.Code);
        if (!fenced)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedFenceNotProven, $"{endpoint}: a write probe was {probe.Outcome} ({probe.SqlState ?? "no sqlstate"}: {probe.Detail})");
        }

        return new JsonObject
        {
            ["fenced_at"] = context.Time.GetUtcNow().ToString("O"),
            ["sessions_terminated"] = terminated,
            ["probe_sqlstate"] = probe.SqlState,
            ["method"] = $"provider database flag {ReadOnlyFlag}=on + sessions terminated",
        };
    }

    /// <summary>An application-like write in a fresh session (no SET TRANSACTION): DDL in a transaction, always rolled back.</summary>
    public static async Task<(string Outcome, string? SqlState, string Detail)> ProbeAsync(PgEndpoint endpoint, CancellationToken ct)
    {
        try
        {
            await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
            await conn.OpenAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var cmd = new NpgsqlCommand("create table hyops_fence_probe (x int)", conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
            await tx.RollbackAsync(ct);
            return ("accepted", null, "a write transaction was accepted (rolled back)");
        }
        catch (PostgresException pg)
        {
            return (pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction ? "read_only" : "error", pg.SqlState, pg.MessageText);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return ("unreachable", null, ex.Message);
        }
    }
}
