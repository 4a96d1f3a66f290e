using System.Collections.Immutable;
using HybridOps.Cli.Commands;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Dr;
using HybridOps.Core.Drill;
using HybridOps.Core.Engine;
using HybridOps.Core.Runtime;
using HybridOps.Core.State;
using HybridOps.Lab.Load;

namespace HybridOps.Cli.Drill;

/// <summary>
/// `blueprint drill`: runs a blueprint under the write load and counts RTO and RPO. Order: load until
/// it acks steadily, (inject the disaster,) deploy the blueprint through the same engine as
/// `blueprint deploy`, keep writing until the first ack through the published endpoint after
/// publication, stop the load, read every id back through the published endpoint and compare.
/// </summary>
public sealed class DrillRunner(Invocation inv)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly TimeProvider time = inv.Time;

    public async Task<DrillReport> RunAsync(DrillRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var blueprint = inv.Content.LoadBlueprint(request.BlueprintRef);
        if (blueprint.Mode == IsolatedDrillRunner.Mode && NoCutoverDrillRunner.StepOf(blueprint) is not null)
        {
            return await new NoCutoverDrillRunner(inv).RunAsync(request, blueprint, ct);
        }

        if (blueprint.Mode == IsolatedDrillRunner.Mode)
        {
            return await new IsolatedDrillRunner(inv).RunAsync(request, blueprint, ct);
        }

        Validate(request);
        var runId = RunIds.New(time);
        var reportDir = Path.GetFullPath(request.ReportDir ?? Path.Combine(DrillReports.Dir(inv.Root, blueprint.BlueprintId), runId));
        var options = LoadSetup.Options(inv.Runtime, Path.Combine(reportDir, "load"), request.Rate, null) with { LoadId = "drill-" + runId };
        var progress = inv.Runtime.Progress;
        var phases = ImmutableArray.CreateBuilder<DrillPhase>();
        var notes = ImmutableArray.CreateBuilder<string>();
        var startedAt = time.GetUtcNow();
        var load = new WriteLoad(options, time);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loadTask = Task.Run(() => load.RunAsync(progress, stopLoad.Token), CancellationToken.None);
        try
        {
            progress.Report($"drill {runId}: load {options.LoadId} at {request.Rate}/s via {options.ServiceRecord}, waiting for steady acks");
            await WaitSteadyAsync(load, loadTask, request, ct);
            await Task.Delay(TimeSpan.FromSeconds(request.SettleSeconds), time, ct);
            var failoverStart = time.GetUtcNow();
            phases.Add(new DrillPhase("load warm-up", "drill", "ok", startedAt, failoverStart, $"{load.AckCount} acks before failover"));
            if (request.Disaster == DrillRequest.DisasterOnpremSite)
            {
                var site = await LabSiteCommand.FailSiteAsync(inv, null, ct);
                phases.Add(new DrillPhase("disaster: onprem-site", "drill", "ok", failoverStart, time.GetUtcNow(), string.Join(", ", site.Processes)));
                progress.Report($"drill {runId}: on-prem site failed at {failoverStart:HH:mm:ss.fff} ({site.Processes.Count} processes killed)");
            }

            var source = DrillSourceReader.Read(inv.Runtime.States, blueprint, request.Overrides);
            var (result, failure) = await DeployAsync(blueprint, request, ct);
            var endedAt = result?.EndedAt ?? time.GetUtcNow();

            // The endpoint is published when the first publication step ends ok; a blueprint that protects
            // the new cluster (replicas, DR-lineage backup) after that step keeps running while it serves.
            var publication = blueprint.Steps.Where(s => s.Phase == "publication").Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            var publishedAt = (result?.Steps ?? []).Where(s => publication.Contains(s.Id) && s.Status == StateStatus.Ok && s.EndedAt is not null)
                .Select(s => s.EndedAt!.Value).OrderBy(t => t).FirstOrDefault(endedAt);
            var bpStart = result?.StartedAt ?? failoverStart;
            if (request.Disaster == DrillRequest.DisasterNone)
            {
                failoverStart = bpStart;
            }

            phases.Add(new DrillPhase("blueprint deploy", "blueprint", result?.Status ?? StateStatus.Error, bpStart, endedAt, result?.RunId));
            foreach (var s in result?.Steps ?? [])
            {
                if (s.StartedAt is { } a && s.EndedAt is { } b)
                {
                    phases.Add(new DrillPhase($"step {s.Id}", "step", s.Status, a, b, $"{s.Action} {s.ModuleRef}{(s.Instance is null ? "" : "#" + s.Instance)}"));
                }
            }

            var published = await PublishedAddressAsync(load, notes, ct);
            var recoveryTimeout = TimeSpan.FromSeconds(result?.Status == StateStatus.Ok ? request.RecoveryTimeoutSeconds : Math.Min(10, request.RecoveryTimeoutSeconds));
            var firstAck = await WaitFirstAckAsync(load, publishedAt, published, recoveryTimeout, ct);
            var recoveredAt = firstAck?.AckedAt ?? time.GetUtcNow();
            phases.Add(new DrillPhase("recovery wait", "drill", firstAck is null ? "timeout" : "ok", publishedAt, recoveredAt,
                firstAck is null ? $"no ack via {published ?? "?"} within {recoveryTimeout.TotalSeconds}s" : $"first ack id {firstAck.Id} via {firstAck.Address}"));

            await stopLoad.CancelAsync();
            var summary = await loadTask;
            var verifyStart = time.GetUtcNow();
            var rpo = await VerifyAsync(load, options.LoadId, notes, ct);
            phases.Add(new DrillPhase("verify rows", "drill", rpo is null ? "error" : "ok", verifyStart, time.GetUtcNow(),
                rpo is null ? null : $"{rpo.Found}/{rpo.Acknowledged} acked rows found"));

            var rto = DrillMeasure.Rto(load.Acks, failoverStart, publishedAt, published);
            var exit = failure?.ExitCode ?? result!.ExitCode;
            if (failure is not null)
            {
                notes.Add($"blueprint failed before running: {failure.Diagnostics[0]}");
            }

            foreach (var d in result?.Diagnostics ?? [])
            {
                notes.Add($"blueprint diagnostic: {d}");
            }

            if (exit == ExitCode.Success && !rto.Measured)
            {
                exit = ExitCode.ReadinessFailure;
                notes.Add("the blueprint succeeded but no write was acknowledged through the published endpoint afterwards: RTO not met");
            }
            else if (exit == ExitCode.Success && rpo is null)
            {
                exit = DiagnosticCatalog.DrillVerificationFailed.ExitCode;
            }

            var report = new DrillReport
            {
                RunId = runId,
                BlueprintRef = blueprint.BlueprintRef,
                BlueprintId = blueprint.BlueprintId,
                BlueprintRunId = result?.RunId,
                BlueprintStatus = result?.Status ?? StateStatus.Error,
                Status = exit == ExitCode.Success ? "ok" : "failed",
                ExitCode = (int)exit,
                ExitName = exit.ToString(),
                Disaster = request.Disaster,
                StartedAt = startedAt,
                EndedAt = time.GetUtcNow(),
                FailoverStart = failoverStart,
                FailoverStartSource = request.Disaster == DrillRequest.DisasterNone ? "blueprint_start" : "disaster_injection",
                ServiceRecord = options.ServiceRecord,
                Phases = phases.ToImmutable(),
                Rto = rto,
                ProtectedAt = result?.Status == StateStatus.Ok ? endedAt : null,
                Rpo = rpo,
                Writes = new DrillWrites(summary.LoadId, summary.Rate, summary.Acked, summary.Failed, summary.FirstAck, summary.LastAck,
                    summary.AckedByAddress, summary.FailedByError, summary.AckLog, summary.FailureLog),
                Notes = notes.ToImmutable(),
                ReportDir = reportDir,
                Source = source,
                Series = DrillWriteSeries.From(load.Acks, ReadFailures(summary.FailureLog, notes), startedAt, time.GetUtcNow()),
            };
            if (DrillReports.Write(inv, report) is { } unpinned)
            {
                progress.Report($"drill {runId}: {unpinned}");
            }

            return report;
        }
        finally
        {
            await stopLoad.CancelAsync();
            await loadTask;
        }
    }

    /// <summary>The load's failures.jsonl, for the write-rate plot; an unreadable line is skipped and noted.</summary>
    private static List<LoadFailureRecord> ReadFailures(string file, ImmutableArray<string>.Builder notes)
    {
        var failures = new List<LoadFailureRecord>();
        if (!File.Exists(file))
        {
            return failures;
        }

        var bad = 0;
        foreach (var line in File.ReadLines(file).Where(l => l.Length > 0))
        {
            try
            {
                failures.Add(HybridOps.Core.Json.Deserialize(line, HybridOps.Core.CoreJsonContext.Default.LoadFailureRecord)!);
            }
            catch (System.Text.Json.JsonException)
            {
                bad++;
            }
        }

        if (bad > 0)
        {
            notes.Add($"{bad} unreadable lines in {file} are not in the write-rate plot");
        }

        return failures;
    }

    private static void Validate(DrillRequest r)
    {
        if (r.Disaster is not (DrillRequest.DisasterNone or DrillRequest.DisasterOnpremSite))
        {
            throw HyopsException.From(DiagnosticCatalog.DrillOptionInvalid, $"--disaster must be none or onprem-site (got '{r.Disaster}')");
        }

        if (r.SettleSeconds < 0 || r.RecoveryTimeoutSeconds <= 0 || double.IsNaN(r.SettleSeconds) || double.IsNaN(r.RecoveryTimeoutSeconds))
        {
            throw HyopsException.From(DiagnosticCatalog.DrillOptionInvalid, $"--settle-s must be >= 0 and --recovery-timeout-s > 0 (got {r.SettleSeconds}, {r.RecoveryTimeoutSeconds})");
        }
    }

    private async Task<(BlueprintRunResult? Result, HyopsException? Failure)> DeployAsync(BlueprintSpec blueprint, DrillRequest request, CancellationToken ct)
    {
        try
        {
            return (await new BlueprintEngine(inv.Runtime).DeployAsync(blueprint, request.Overrides, ct), null);
        }
        catch (Exception ex) when (Failures.Normalize(ex) is { } failure && failure.ExitCode != ExitCode.Cancelled)
        {
            return (null, failure);
        }
    }

    /// <summary>Steady = the load acknowledged a second's worth of writes (at least 5) and the last ack is fresh.</summary>
    private async Task WaitSteadyAsync(WriteLoad load, Task loadTask, DrillRequest request, CancellationToken ct)
    {
        var needed = Math.Max(5, (long)Math.Ceiling(request.Rate));
        var start = time.GetTimestamp();
        while (true)
        {
            var acks = load.Acks;
            if (acks.Count >= needed && time.GetUtcNow() - acks[^1].AckedAt < TimeSpan.FromSeconds(Math.Max(1, 3 / request.Rate)))
            {
                return;
            }

            if (loadTask.IsCompleted || time.GetElapsedTime(start) > request.SteadyTimeout)
            {
                var s = load.Summary(time.GetElapsedTime(start));
                throw HyopsException.From(DiagnosticCatalog.LoadNotSteady,
                    $"{s.Acked} acks and {s.Failed} failures ({string.Join(", ", s.FailedByError.Select(kv => $"{kv.Key} {kv.Value}"))}) after {request.SteadyTimeout.TotalSeconds}s");
            }

            await Task.Delay(Poll, time, ct);
        }
    }

    private async Task<string?> PublishedAddressAsync(WriteLoad load, ImmutableArray<string>.Builder notes, CancellationToken ct)
    {
        try
        {
            return await load.ResolveAsync(ct);
        }
        catch (WriteLoadDnsException ex)
        {
            notes.Add($"the service record did not resolve after the blueprint: {ex.Message}");
            return null;
        }
    }

    private async Task<AckRecord?> WaitFirstAckAsync(WriteLoad load, DateTimeOffset after, string? address, TimeSpan timeout, CancellationToken ct)
    {
        if (address is null)
        {
            return null;
        }

        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < timeout)
        {
            if (load.Acks.FirstOrDefault(a => a.AckedAt >= after && a.Address == address) is { } ack)
            {
                return ack;
            }

            await Task.Delay(Poll, time, ct);
        }

        return null;
    }

    private async Task<RpoMeasurement?> VerifyAsync(WriteLoad load, string loadId, ImmutableArray<string>.Builder notes, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (address, ids) = await load.ReadBackAsync(loadId, ct);
                notes.Add($"rows read back from {address} (the published endpoint) on attempt {attempt}");
                return DrillMeasure.Rpo(load.Acks, loadId, ids);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or WriteLoadDnsException or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                if (attempt == 3)
                {
                    notes.Add($"{DiagnosticCatalog.DrillVerificationFailed.Code}: {DiagnosticCatalog.DrillVerificationFailed.Title}: {WriteLoad.Classify(ex)}");
                    return null;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
        }
    }
}
