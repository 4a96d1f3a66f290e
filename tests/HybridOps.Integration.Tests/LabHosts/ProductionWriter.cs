using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// A bounded write load straight at a production leader: one insert every <c>interval</c> into
/// <c>prod_writes</c>, each counted as acknowledged or failed, until stopped or <c>limit</c> passes.
/// A failed write reconnects; nothing is retried, so every failure the drill causes is counted.
/// </summary>
internal sealed class ProductionWriter(PgEndpoint leader, TimeSpan interval, TimeSpan limit)
{
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    public long Acked { get; private set; }

    public List<string> Failures { get; } = [];

    public void Start() => loop = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await loop!;
    }

    private async Task RunAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        NpgsqlConnection? conn = null;
        try
        {
            while (!stop.IsCancellationRequested && clock.Elapsed < limit)
            {
                try
                {
                    if (conn is null)
                    {
                        conn = new NpgsqlConnection(leader.ConnectionString);
                        await conn.OpenAsync();
                    }

                    await using var cmd = new NpgsqlCommand("insert into prod_writes default values", conn) { CommandTimeout = 5 };
                    await cmd.ExecuteNonQueryAsync();
                    Acked++;
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
                {
                    Failures.Add($"{TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {ex.GetType().Name}: {ex.Message}");
                    if (conn is not null)
                    {
                        await conn.DisposeAsync();
                    }

                    conn = null;
                }

                try
                {
                    await Task.Delay(interval, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            if (conn is not null)
            {
                await conn.DisposeAsync();
            }
        }
    }
}
