using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Dr;
using HybridOps.Core.Drill;
using HybridOps.Core.Engine;
using HybridOps.Core.Runtime;
using HybridOps.Core.State;

namespace HybridOps.Cli.Drill;

/// <summary>
/// `blueprint drill` of a blueprint with mode drill (an isolated drill): no write load, no disaster,
/// nothing published; production's own commit and rollback counters are sampled (read only) for the plot. Checks the drill's confirmation before anything runs, hashes every module state
/// file that is not one of the drill's own steps, deploys the blueprint, removes the drill cluster
/// itself when the blueprint stopped before its teardown, and reports the marker's and the
/// verification's figures, with whether production's state files are byte-identical afterwards.
/// </summary>
public sealed class IsolatedDrillRunner(Invocation inv)
{
    public const string Mode = "drill";
    private const int BaselineSamples = 4;
    private readonly TimeProvider time = inv.Time;

    public async Task<DrillReport> RunAsync(DrillRequest request, BlueprintSpec blueprint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(blueprint);
        var steps = IsolatedDrillSteps.Of(blueprint, request.Overrides);
        Validate(request, steps);
        var runId = RunIds.New(time);
        var reportDir = Path.GetFullPath(request.ReportDir ?? Path.Combine(DrillReports.Dir(inv.Root, blueprint.BlueprintId), runId));
        var progress = inv.Runtime.Progress;
        var phases = ImmutableArray.CreateBuilder<DrillPhase>();
        var notes = ImmutableArray.CreateBuilder<string>();
        var startedAt = time.GetUtcNow();
        var own = steps.OwnStatePaths(inv.Runtime.States);
        var before = StateFileHashes.Of(inv.Runtime.States.ModulesDir, own);
        progress.Report($"isolated drill {runId}: {blueprint.BlueprintRef}; production keeps running (no fence, no DNS change, no write load)");

        var source = DrillSourceReader.Read(inv.Runtime.States, blueprint, request.Overrides);
        await using var sampler = ProductionActivitySampler.Start(inv.Runtime, steps.MarkerInputs, time);
        progress.Report($"isolated drill {runId}: production's transaction counters sampled from {sampler.From} (read only); 3 s of baseline first");
        await sampler.BaselineAsync(BaselineSamples, ct);
        var (result, failure) = await DeployAsync(blueprint, request, ct);
        var endedAt = result?.EndedAt ?? time.GetUtcNow();
        phases.Add(new DrillPhase("blueprint deploy", "blueprint", result?.Status ?? StateStatus.Error, result?.StartedAt ?? startedAt, endedAt, result?.RunId));
        foreach (var s in result?.Steps ?? [])
        {
            if (s.StartedAt is { } a && s.EndedAt is { } b)
            {
                phases.Add(new DrillPhase($"step {s.Id}", "step", s.Status, a, b, $"{s.Action} {s.ModuleRef}{(s.Instance is null ? "" : "#" + s.Instance)}"));
            }
        }

        var tornDown = result?.Steps.Any(s => s.Id == steps.Teardown.Id && s.Status == StateStatus.Destroyed) == true;
        if (!tornDown)
        {
            tornDown = await CleanupAsync(steps, phases, notes, ct);
        }

        var after = StateFileHashes.Of(inv.Runtime.States.ModulesDir, own);
        var changed = StateFileHashes.Changed(before, after);
        var (series, figures) = await sampler.StopAsync(
            IsolatedDrillSteps.Figures(inv.Runtime.States, steps) with { TornDown = tornDown, ProductionStateUnchanged = changed.IsEmpty, ChangedStateFiles = changed },
            startedAt, time.GetUtcNow());

        var exit = failure?.ExitCode ?? result!.ExitCode;
        if (failure is not null)
        {
            notes.Add($"blueprint failed before running: {failure.Diagnostics[0]}");
        }

        foreach (var d in result?.Diagnostics ?? [])
        {
            notes.Add($"blueprint diagnostic: {d}");
        }

        if (exit == ExitCode.PartialCompletion && result?.Diagnostics.FirstOrDefault() is { } why)
        {
            // A partial isolated drill is a failed verification: its own exit code, not "partial".
            exit = why.ExitCode;
        }

        if (exit == ExitCode.Success && (!tornDown || !changed.IsEmpty))
        {
            exit = DiagnosticCatalog.DrillTeardownIncomplete.ExitCode;
            notes.Add(!tornDown ? $"{DiagnosticCatalog.DrillTeardownIncomplete.Code}: the drill cluster was not removed" : $"production state files changed: {string.Join(", ", changed)}");
        }

        var rto = new RtoMeasurement(startedAt, startedAt, null, null, null, null);
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
            Disaster = DrillRequest.DisasterNone,
            StartedAt = startedAt,
            EndedAt = time.GetUtcNow(),
            FailoverStart = result?.StartedAt ?? startedAt,
            FailoverStartSource = "blueprint_start",
            ServiceRecord = "",
            Phases = phases.ToImmutable(),
            Rto = rto,
            Writes = new DrillWrites("none", 0, 0, 0, null, null, new Dictionary<string, long>(), new Dictionary<string, long>(), "", ""),
            Notes = notes.ToImmutable(),
            ReportDir = reportDir,
            Source = source,
            DrillKind = "isolated",
            Isolated = figures,
            Series = series,
            PlotMarkers = PlotMarkers(result, steps),
        };
        if (DrillReports.Write(inv, report) is { } unpinned)
        {
            progress.Report($"isolated drill {runId}: {unpinned}");
        }

        return report;
    }

    /// <summary>The plot's moments: the restore point taken (marker step end), the drill cluster writable (restore step end), the teardown's start.</summary>
    private static ImmutableArray<DrillPlotMarker> PlotMarkers(BlueprintRunResult? result, IsolatedDrillSteps steps)
    {
        var marks = ImmutableArray.CreateBuilder<DrillPlotMarker>();
        var byId = (result?.Steps ?? []).ToDictionary(s => s.Id);
        if (byId.GetValueOrDefault(steps.Marker.Id)?.EndedAt is { } point)
        {
            marks.Add(new DrillPlotMarker("restore point", point, DrillPlot.DisasterColour));
        }

        if (byId.GetValueOrDefault(steps.Restore.Id)?.EndedAt is { } writable)
        {
            marks.Add(new DrillPlotMarker("drill writable", writable, DrillPlot.PublicationColour));
        }

        if (byId.GetValueOrDefault(steps.Teardown.Id)?.StartedAt is { } teardown)
        {
            marks.Add(new DrillPlotMarker("teardown", teardown, DrillPlot.FirstAckColour));
        }

        return marks.ToImmutable();
    }

    private static void Validate(DrillRequest request, IsolatedDrillSteps steps)
    {
        if (request.Disaster != DrillRequest.DisasterNone)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillIsolatedOptionInvalid, $"--disaster {request.Disaster}: an isolated drill never injects a disaster");
        }

        if (steps.MarkerInputs["drill_confirm"]?.ToString() is not { Length: > 0 })
        {
            throw HyopsException.From(DiagnosticCatalog.DrillNotConfirmed,
                $"step '{steps.Marker.Id}': drill_confirm is missing; type the production cluster name (the drill writes a marker row and takes a short EXCLUSIVE lock); nothing was run");
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

    /// <summary>The blueprint stopped before its teardown: the drill cluster it restored is removed here with the teardown step's inputs.</summary>
    private async Task<bool> CleanupAsync(IsolatedDrillSteps steps, ImmutableArray<DrillPhase>.Builder phases, ImmutableArray<string>.Builder notes, CancellationToken ct)
    {
        var t = steps.Teardown;
        var state = inv.Runtime.States.Read(t.ModuleRef, t.StateInstance);
        if (state is null || state.Status == StateStatus.Destroyed)
        {
            // The restore never ran, or its cluster is already removed.
            return true;
        }

        if (state.Outputs["drill"] is not JsonObject)
        {
            notes.Add($"the drill restore ended '{state.Status}' before publishing its cluster: what it created carries its owner markers, and the next drill with the same inputs redoes it (docs/restore.md)");
            return false;
        }

        var start = time.GetUtcNow();
        try
        {
            var r = await new ModuleRunner(inv.Runtime).RunAsync(new ModuleRequest
            {
                ModuleRef = t.ModuleRef, Action = t.Action, Instance = t.StateInstance, StepInputs = steps.TeardownInputs, ApplyEnvironmentOverrides = false,
            }, ct);
            phases.Add(new DrillPhase("cleanup", "drill", r.Status, start, time.GetUtcNow(), r.RunId));
            return r.Status == StateStatus.Destroyed;
        }
        catch (Exception ex) when (Failures.Normalize(ex) is { } failure && failure.ExitCode != ExitCode.Cancelled)
        {
            phases.Add(new DrillPhase("cleanup", "drill", StateStatus.Error, start, time.GetUtcNow(), failure.Diagnostics[0].Code));
            notes.Add($"cleanup of the drill cluster failed: {failure.Diagnostics[0]}");
            return false;
        }
    }
}
