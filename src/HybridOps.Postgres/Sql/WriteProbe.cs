using System.Net.Sockets;
using Npgsql;

namespace HybridOps.Postgres.Sql;

/// <summary>
/// Tries to write the way an application would: connect over TCP, BEGIN, SET TRANSACTION READ
/// WRITE, take a transaction id, ROLLBACK. Nothing is ever committed. The outcome says why a
/// write was impossible: refused (nothing listens), rejected (pg_hba/auth), read_only, or error.
/// </summary>
public static class WriteProbe
{
    public static async Task<WriteProbeResult> RunAsync(PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            await using var tx = await conn.BeginTransactionAsync(cancellationToken);
            await using (var set = new NpgsqlCommand("set transaction read write", conn, tx))
            {
                await set.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var xid = new NpgsqlCommand("select pg_current_xact_id()::text", conn, tx))
            {
                var id = (string?)await xid.ExecuteScalarAsync(cancellationToken);
                await tx.RollbackAsync(cancellationToken);
                return new WriteProbeResult(true, true, "accepted", null, $"transaction id {id} assigned (rolled back)");
            }
        }
        catch (PostgresException pg) when (pg.SqlState is PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            return new WriteProbeResult(true, false, "read_only", pg.SqlState, pg.MessageText);
        }
        catch (PostgresException pg) when (pg.SqlState is PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidPassword)
        {
            return new WriteProbeResult(true, false, "rejected", pg.SqlState, pg.MessageText);
        }
        catch (PostgresException pg) when (pg.SqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown)
        {
            return new WriteProbeResult(true, false, "not_accepting_connections", pg.SqlState, pg.MessageText);
        }
        catch (PostgresException pg)
        {
            return new WriteProbeResult(true, false, "error", pg.SqlState, pg.MessageText);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            var inner = ex.InnerException as SocketException ?? ex as SocketException;
            var refused = inner?.SocketErrorCode is SocketError.ConnectionRefused;
            return new WriteProbeResult(false, false, refused ? "refused" : "unreachable", null, ex.InnerException?.Message ?? ex.Message);
        }
    }
}

/// <summary>One write probe: whether the TCP port answered, whether a write transaction was possible, and why not.</summary>
public sealed record WriteProbeResult(bool PortReachable, bool AcceptsWrites, string Outcome, string? SqlState, string Detail);
