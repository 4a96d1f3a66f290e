using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Drill;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Postgres.Sql;

namespace HybridOps.Cli.Drill;

/// <summary>
/// While an isolated drill runs, reads production's own transaction counters once a second: the sum of
/// xact_commit and xact_rollback over pg_stat_database on the leader the marker step's cluster state
/// names, in a read-only session. It writes nothing: the plot shows what production did during the drill
/// without adding load to it. Each sample is itself one committed transaction, subtracted from the count.
/// PostgreSQL flushes a backend's counters at most once a second, so a bar may hold a neighbour's commits.
/// </summary>
public sealed class ProductionActivitySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly PgEndpoint? endpoint;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stop = new();
    private readonly List<(DateTimeOffset At, long Commits, long Rollbacks)> samples = [];
    private readonly Task loop;
    private int failures;

    private ProductionActivitySampler(PgEndpoint? endpoint, string from, TimeProvider time)
    {
        this.endpoint = endpoint;
        this.time = time;
        From = from;
        loop = endpoint is null ? Task.CompletedTask : Task.Run(() => RunAsync(stop.Token));
    }

    /// <summary>user@host:port/db sampled, or why nothing is sampled.</summary>
    public string From { get; }

    /// <summary>Starts sampling the leader of the marker step's cluster_state_ref; without a readable state or password it samples nothing and says why.</summary>
    public static ProductionActivitySampler Start(HyopsRuntime runtime, JsonObject markerInputs, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(markerInputs);
        var stateRef = markerInputs["cluster_state_ref"]?.ToString() is { Length: > 0 } r ? r : "platform/onprem/postgresql-ha";
        var database = markerInputs["database"]?.ToString() is { Length: > 0 } d ? d : "postgres";
        ModuleState? state;
        try
        {
            var sref = StateRef.Parse(stateRef, "cluster_state_ref");
            state = runtime.States.Read(sref.ModuleRef, sref.Instance);
        }
        catch (HyopsException)
        {
            // The blueprint's own validation names a bad reference; the sampler just samples nothing.
            state = null;
        }

        var o = state?.Outputs;
        if (state?.Status != StateStatus.Ok || o?["leader_host"]?.ToString() is not { Length: > 0 } host || o["db_password_env"]?.ToString() is not { Length: > 0 } key)
        {
            return new ProductionActivitySampler(null, $"state '{stateRef}' names no leader", time);
        }

        if (!runtime.Secrets.TryResolve(key, out var password))
        {
            return new ProductionActivitySampler(null, $"{key} is not set", time);
        }

        var port = o["leader_port"] is JsonValue p && p.TryGetValue<int>(out var n) ? n : 5432;
        var user = o["db_user"]?.ToString() is { Length: > 0 } u ? u : "postgres";
        var endpoint = new PgEndpoint(host, port, user, password, database) { Options = "-c default_transaction_read_only=on" };
        return new ProductionActivitySampler(endpoint, endpoint.ToString(), time);
    }

    /// <summary>Waits for a baseline before the drill touches anything: <paramref name="count"/> samples (at most count + 2 seconds).</summary>
    public async Task BaselineAsync(int count, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (endpoint is not null && SampleCount < count && time.GetElapsedTime(started) < TimeSpan.FromSeconds(count + 2) && !loop.IsCompleted)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    private int SampleCount
    {
        get
        {
            lock (samples)
            {
                return samples.Count;
            }
        }
    }

    /// <summary>Stops sampling; the series of commits (acked) and rollbacks (failed) between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public async Task<(DrillWriteSeries? Series, IsolatedDrillFigures Figures)> StopAsync(IsolatedDrillFigures figures, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(figures);
        await stop.CancelAsync();
        await loop;
        if (samples.Count < 2)
        {
            return (null, figures with { ProductionSampledFrom = endpoint is null ? From : $"{From}: fewer than two samples", ProductionSamples = samples.Count, ProductionSampleFailures = failures });
        }

        // Commits between two samples are placed halfway between them.
        var deltas = samples.Zip(samples.Skip(1), (a, b) => (At: a.At + ((b.At - a.At) / 2), Acked: (int)Math.Max(0, b.Commits - a.Commits - 1), Failed: (int)Math.Max(0, b.Rollbacks - a.Rollbacks))).ToList();
        var series = DrillWriteSeries.FromCounts(deltas, samples[0].At < from ? samples[0].At : from, to) with { AckedLabel = "production commits", FailedLabel = "rollbacks" };
        return (series, figures with
        {
            ProductionCommits = deltas.Sum(x => (long)x.Acked),
            ProductionRollbacks = deltas.Sum(x => (long)x.Failed),
            ProductionSampledFrom = From,
            ProductionSamples = samples.Count,
            ProductionSampleFailures = failures,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        PgSession? session = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    session ??= await PgSession.OpenAsync(endpoint!, ct);
                    var row = await session.QueryAsync("select coalesce(sum(xact_commit), 0)::bigint, coalesce(sum(xact_rollback), 0)::bigint from pg_stat_database",
                        r => (r.GetInt64(0), r.GetInt64(1)), ct);
                    lock (samples)
                    {
                        samples.Add((time.GetUtcNow(), row[0].Item1, row[0].Item2));
                    }
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // A leader switch or a dropped connection: count it, reconnect at the next tick. A gap
                    // between two samples lands its delta at the later one.
                    failures++;
                    if (session is not null)
                    {
                        await session.DisposeAsync();
                        session = null;
                    }
                }

                await Task.Delay(Interval, time, ct);
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopped (Npgsql may report a cancelled query as its own exception): the samples so far stand.
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }
    }
}
