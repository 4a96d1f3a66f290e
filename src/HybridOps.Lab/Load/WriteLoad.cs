using System.Net.Sockets;
using HybridOps.Core;
using HybridOps.Core.Drill;
using HybridOps.Postgres.Dns;
using Npgsql;

namespace HybridOps.Lab.Load;

/// <summary>
/// A paced write workload that records every acknowledged commit (acks.jsonl) and every failure
/// (failures.jsonl). It reaches PostgreSQL only through the service record: DNS is asked on every
/// (re)connect, so after a failover it follows the published endpoint like an application would.
/// Each transaction inserts one row with a client-chosen id, so a row can be matched to its ack.
/// </summary>
public sealed class WriteLoad(WriteLoadOptions options, TimeProvider? time = null)
{
    public const string Schema = "hyops_drill";
    public const string Table = "hyops_drill.acks";

    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly object gate = new();
    private readonly List<AckRecord> acks = [];
    private readonly Dictionary<string, long> failedByError = new(StringComparer.Ordinal);
    private long failed;

    public WriteLoadOptions Options => options;

    /// <summary>Acks so far, in order (a copy: the load keeps running).</summary>
    public IReadOnlyList<AckRecord> Acks
    {
        get
        {
            lock (gate)
            {
                return [.. acks];
            }
        }
    }

    public long AckCount
    {
        get
        {
            lock (gate)
            {
                return acks.Count;
            }
        }
    }

    /// <summary>Runs until <see cref="WriteLoadOptions.Duration"/> elapsed or <paramref name="ct"/> is cancelled; never throws on database failures.</summary>
    public async Task<WriteLoadSummary> RunAsync(IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Rate);
        using var ackLog = new JsonLinesLog(options.AckLogPath);
        using var failureLog = new JsonLinesLog(options.FailureLogPath);
        var interval = TimeSpan.FromSeconds(1 / options.Rate);
        var idBase = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        var sequence = 0L;
        var started = time.GetTimestamp();
        var lastProgress = started;
        var next = started;
        NpgsqlConnection? connection = null;
        string? address = null;
        try
        {
            while (!ct.IsCancellationRequested && (options.Duration is not { } d || time.GetElapsedTime(started) < d))
            {
                if (!await PaceAsync(next, ct))
                {
                    break;
                }

                next = Math.Max(time.GetTimestamp(), next + (long)(interval.TotalSeconds * time.TimestampFrequency));
                if (time.GetElapsedTime(lastProgress) >= options.ProgressInterval)
                {
                    lastProgress = time.GetTimestamp();
                    progress?.Report(Progress(address));
                }

                try
                {
                    if (connection is null)
                    {
                        address = await ResolveAsync(ct);
                        connection = new NpgsqlConnection(ConnectionString(address));
                        await connection.OpenAsync(ct);
                        await EnsureTableAsync(connection, ct);
                    }

                    var id = idBase + ++sequence;
                    await using (var cmd = new NpgsqlCommand($"insert into {Table} (id, load_id, pad) values ($1, $2, $3)", connection))
                    {
                        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
                        cmd.Parameters.Add(new NpgsqlParameter { Value = options.LoadId });
                        cmd.Parameters.Add(new NpgsqlParameter { Value = "x" });
                        await cmd.ExecuteNonQueryAsync(ct);
                    }

                    var ack = new AckRecord(id, options.LoadId, time.GetUtcNow(), address!);
                    ackLog.Append(ack, CoreJsonContext.Default.AckRecord);
                    lock (gate)
                    {
                        acks.Add(ack);
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && IsLoadFailure(ex))
                {
                    var kind = Classify(ex);
                    failureLog.Append(new LoadFailureRecord(time.GetUtcNow(), address, kind, Trim(ex.Message)), CoreJsonContext.Default.LoadFailureRecord);
                    lock (gate)
                    {
                        failed++;
                        failedByError[kind] = failedByError.GetValueOrDefault(kind) + 1;
                    }

                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    if (!await DelayAsync(options.Backoff, ct))
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping is the normal end of an open-ended load; a write in flight is simply not acknowledged.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        var summary = Summary(time.GetElapsedTime(started));
        progress?.Report(Progress(address));
        return summary;
    }

    /// <summary>All ids of <paramref name="loadId"/> in the database the service record points at now.</summary>
    public async Task<(string Address, IReadOnlySet<long> Ids)> ReadBackAsync(string loadId, CancellationToken ct)
    {
        var address = await ResolveAsync(ct);
        await using var connection = new NpgsqlConnection(ConnectionString(address));
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"select id from {Table} where load_id = $1", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = loadId });
        var ids = new HashSet<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return (address, ids);
    }

    /// <summary>The address the service record resolves to now, by a real DNS query to the authority.</summary>
    public async Task<string> ResolveAsync(CancellationToken ct)
    {
        var answer = await DnsQuery.QueryAAsync(options.DnsServer, options.DnsPort, options.ServiceRecord, options.DnsTimeout, ct);
        return answer is { ResponseCode: 0, Addresses.Count: > 0 }
            ? answer.Addresses[0]
            : throw new WriteLoadDnsException(answer is null
                ? $"no DNS answer from {options.DnsServer}:{options.DnsPort} for {options.ServiceRecord}"
                : $"DNS rcode {answer.ResponseCode} / no A record for {options.ServiceRecord}");
    }

    public WriteLoadSummary Summary(TimeSpan elapsed)
    {
        lock (gate)
        {
            var byAddress = acks.GroupBy(a => a.Address).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count());
            return new WriteLoadSummary(options.LoadId, options.Rate, acks.Count, failed, acks.FirstOrDefault()?.AckedAt, acks.LastOrDefault()?.AckedAt,
                byAddress, new Dictionary<string, long>(failedByError), options.AckLogPath, options.FailureLogPath, Math.Round(elapsed.TotalSeconds, 3));
        }
    }

    private static async Task EnsureTableAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"create schema if not exists {Schema}; create table if not exists {Table} "
            + "(id bigint primary key, load_id text, written_at timestamptz default now(), pad text)", connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private string ConnectionString(string host) => new NpgsqlConnectionStringBuilder
    {
        Host = host,
        Port = options.Port,
        Username = options.User,
        Password = options.Password,
        Database = options.Database,
        Timeout = options.ConnectTimeoutSeconds,
        CommandTimeout = options.CommandTimeoutSeconds,
        Pooling = false, // every reconnect must resolve DNS and open a fresh socket
        ApplicationName = "hyops-load",
    }.ConnectionString;

    private static bool IsLoadFailure(Exception ex) =>
        ex is NpgsqlException or SocketException or TimeoutException or IOException or WriteLoadDnsException or InvalidOperationException;

    /// <summary>SQLSTATE when the server answered, else the socket error or failure kind; never the message text.</summary>
    public static string Classify(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState,
        WriteLoadDnsException => "dns",
        NpgsqlException { InnerException: SocketException s } => "socket:" + s.SocketErrorCode,
        NpgsqlException { InnerException: TimeoutException } => "timeout",
        NpgsqlException { InnerException: IOException } => "io",
        SocketException s => "socket:" + s.SocketErrorCode,
        TimeoutException => "timeout",
        IOException => "io",
        _ => ex.GetType().Name,
    };

    private string Progress(string? address)
    {
        lock (gate)
        {
            return $"load {options.LoadId}: {acks.Count} acked, {failed} failed, last via {acks.LastOrDefault()?.Address ?? address ?? "-"}";
        }
    }

    private async Task<bool> PaceAsync(long dueTimestamp, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds((dueTimestamp - time.GetTimestamp()) / (double)time.TimestampFrequency);
        return wait <= TimeSpan.Zero || await DelayAsync(wait, ct);
    }

    private async Task<bool> DelayAsync(TimeSpan wait, CancellationToken ct)
    {
        try
        {
            await Task.Delay(wait, time, ct);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string Trim(string message) => message.Length <= 200 ? message : message[..200];
}
