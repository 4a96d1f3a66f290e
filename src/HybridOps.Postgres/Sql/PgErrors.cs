using System.Net.Sockets;
using HybridOps.Core.Diagnostics;
using Npgsql;

namespace HybridOps.Postgres.Sql;

/// <summary>
/// Classifies Npgsql failures by SQLSTATE and exception type (never by message text) into
/// connectivity (HYO4002) or configuration (HYO5002) diagnostics.
/// </summary>
public static class PgErrors
{
    public static HyopsException Classify(Exception ex, PgEndpoint endpoint) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
            HyopsException.From(DiagnosticCatalog.AuthenticationFailed, $"{endpoint}: authentication rejected ({pg.SqlState})"),
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown } pg =>
            HyopsException.From(DiagnosticCatalog.PostgresUnreachable, $"{endpoint}: server not accepting connections ({pg.SqlState})"),
        PostgresException pg =>
            HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"{endpoint}: {pg.SqlState} {pg.MessageText}"),
        NpgsqlException { InnerException: SocketException or TimeoutException or IOException or EndOfStreamException } or SocketException or TimeoutException =>
            HyopsException.From(DiagnosticCatalog.PostgresUnreachable, $"{endpoint}: unreachable ({ex.InnerException?.Message ?? ex.Message})"),
        NpgsqlException n =>
            HyopsException.From(DiagnosticCatalog.PostgresUnreachable, $"{endpoint}: {n.Message}"),
        _ => throw new InvalidOperationException("unclassified PostgreSQL failure", ex),
    };

    public static bool IsPostgresFailure(Exception ex) => ex is NpgsqlException or SocketException or TimeoutException;
}
