using System.Diagnostics;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// Probes every endpoint of the lab every 100 ms with a REAL table write (an insert into a scratch
/// table that exists on both sides, rolled back) and counts the rounds in which more than one endpoint
/// took it. A read-only default or a trigger guard both make the insert fail, so this sees exactly what
/// an application would. Bounded: it stops by itself after <see cref="MaxRounds"/> rounds or <see cref="MaxTime"/>.
/// </summary>
public sealed class WritablePrimaryPoller(IReadOnlyList<PgEndpoint> endpoints, string scratchTable) : IAsyncDisposable
{
    public const int MaxRounds = 15_000;
    public static readonly TimeSpan MaxTime = TimeSpan.FromMinutes(25);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    public IReadOnlyList<PgEndpoint> Endpoints => endpoints;

    public int Rounds { get; private set; }
    public int TwoWritableRounds { get; private set; }
    public List<string> TwoWritableMoments { get; } = [];

    /// <summary>Rounds in which each endpoint took the write (by host).</summary>
    public Dictionary<string, int> WritableRoundsByHost { get; } = [];

    public void Start() => loop = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }
    }

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested && Rounds < MaxRounds && clock.Elapsed < MaxTime)
        {
            var started = clock.Elapsed;
            var writable = new List<string>();
            foreach (var e in endpoints)
            {
                if (await WritesAsync(e))
                {
                    writable.Add(e.Host);
                    WritableRoundsByHost[e.Host] = WritableRoundsByHost.GetValueOrDefault(e.Host) + 1;
                }
            }

            Rounds++;
            if (writable.Count > 1)
            {
                TwoWritableRounds++;
                TwoWritableMoments.Add($"{DateTimeOffset.UtcNow:O}: {string.Join(", ", writable)}");
            }

            var rest = Period - (clock.Elapsed - started);
            if (rest > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(rest, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> WritesAsync(PgEndpoint endpoint)
    {
        try
        {
            await using var conn = new NpgsqlConnection((endpoint with { ConnectTimeoutSeconds = 1 }).ConnectionString);
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand($"insert into {scratchTable} (id, at) values (-1, now())", conn, tx);
            await cmd.ExecuteNonQueryAsync();
            await tx.RollbackAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }
}
