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
/// `blueprint drill` of a no-cutover drill (a blueprint of mode drill whose step is
/// org/gcp/cloudsql-promote-drill): no write load, no disaster, nothing fenced, promoted or published.
/// Checks drill_confirm before anything runs, hashes every module state file but the drill's own,
/// deploys the blueprint and reports the step's figures (promotable, barrier, the clone's time to
/// writable, the standby afterwards) with whether the other state files are byte-identical.
/// </summary>
public sealed class NoCutoverDrillRunner(Invocation inv)
{
    public const string ModuleRef = "org/gcp/cloudsql-promote-drill";
    public const string Kind = "no-cutover";
    private readonly TimeProvider time = inv.Time;

    /// <summary>The drill step of a no-cutover blueprint, or null when the blueprint is another kind of drill.</summary>
    public static BlueprintStep? StepOf(BlueprintSpec blueprint) => blueprint?.Steps.FirstOrDefault(s => s.ModuleRef == ModuleRef && s.Action == "deploy");

    public async Task<DrillReport> RunAsync(DrillRequest request, BlueprintSpec blueprint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(blueprint);
        var step = StepOf(blueprint)!;
        Validate(request, step);
        var runId = RunIds.New(time);
        var reportDir = Path.GetFullPath(request.ReportDir ?? Path.Combine(DrillReports.Dir(inv.Root, blueprint.BlueprintId), runId));
        var progress = inv.Runtime.Progress;
        var phases = ImmutableArray.CreateBuilder<DrillPhase>();
        var notes = ImmutableArray.CreateBuilder<string>();
        var startedAt = time.GetUtcNow();
        var own = StateFileHashes.OwnPaths(inv.Runtime.States, [.. blueprint.Steps]);
        var before = StateFileHashes.Of(inv.Runtime.States.ModulesDir, own);
        progress.Report($"no-cutover drill {runId}: {blueprint.BlueprintRef}; no fence, no promotion of the standby, no DNS change, no write load");

        BlueprintRunResult? result = null;
        HyopsException? failure = null;
        try
        {
            result = await new BlueprintEngine(inv.Runtime).DeployAsync(blueprint, request.Overrides, ct);
        }
        catch (Exception ex) when (Failures.Normalize(ex) is { } f && f.ExitCode != ExitCode.Cancelled)
        {
            failure = f;
        }

        phases.Add(new DrillPhase("blueprint deploy", "blueprint", result?.Status ?? StateStatus.Error, result?.StartedAt ?? startedAt, result?.EndedAt ?? time.GetUtcNow(), result?.RunId));
        foreach (var s in result?.Steps ?? [])
        {
            if (s.StartedAt is { } a && s.EndedAt is { } b)
            {
                phases.Add(new DrillPhase($"step {s.Id}", "step", s.Status, a, b, $"{s.Action} {s.ModuleRef}{(s.Instance is null ? "" : "#" + s.Instance)}"));
            }
        }

        var changed = StateFileHashes.Changed(before, StateFileHashes.Of(inv.Runtime.States.ModulesDir, own));
        var figures = Figures(inv.Runtime.States.Read(step.ModuleRef, step.StateInstance)) with { ProductionStateUnchanged = changed.IsEmpty, ChangedStateFiles = changed };
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
            // A partial drill is a failed check: its own exit code, not "partial".
            exit = why.ExitCode;
        }

        if (exit == ExitCode.Success && !changed.IsEmpty)
        {
            exit = DiagnosticCatalog.NoCutoverStandbyDisturbed.ExitCode;
            notes.Add($"{DiagnosticCatalog.NoCutoverStandbyDisturbed.Code}: state files outside the drill changed: {string.Join(", ", changed)}");
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
            Disaster = DrillRequest.DisasterNone,
            StartedAt = startedAt,
            EndedAt = time.GetUtcNow(),
            FailoverStart = result?.StartedAt ?? startedAt,
            FailoverStartSource = "blueprint_start",
            ServiceRecord = "",
            Phases = phases.ToImmutable(),
            Rto = new RtoMeasurement(startedAt, startedAt, null, null, null, null),
            Writes = new DrillWrites("none", 0, 0, 0, null, null, new Dictionary<string, long>(), new Dictionary<string, long>(), "", ""),
            Notes = notes.ToImmutable(),
            ReportDir = reportDir,
            DrillKind = Kind,
            NoCutover = figures,
        };
        if (DrillReports.Write(inv, report) is { } unpinned)
        {
            progress.Report($"no-cutover drill {runId}: {unpinned}");
        }

        return report;
    }

    /// <summary>Refusals before anything runs: a disaster option, a missing confirmation (the module checks the name itself).</summary>
    public static void Validate(DrillRequest request, BlueprintStep step)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(step);
        if (request.Disaster != DrillRequest.DisasterNone)
        {
            throw HyopsException.From(DiagnosticCatalog.NoCutoverInputInvalid, $"--disaster {request.Disaster}: a no-cutover drill never injects a disaster; nothing was run");
        }

        if (step.InputsWith(request.Overrides)["drill_confirm"]?.ToString() is not { Length: > 0 })
        {
            throw HyopsException.From(DiagnosticCatalog.NoCutoverNotConfirmed,
                $"step '{step.Id}': drill_confirm is missing; type the managed standby's instance name (the drill writes one barrier row on production and clones the standby); nothing was run");
        }
    }

    /// <summary>The figures the drill step published (partial: as far as it got).</summary>
    public static NoCutoverDrillFigures Figures(ModuleState? state)
    {
        var o = state is { Status: StateStatus.Ok or StateStatus.Partial } ? state.Outputs : null;
        var clone = o?["clone"] as JsonObject;
        var after = o?["standby_after"] as JsonObject;
        return new NoCutoverDrillFigures
        {
            InstanceName = Text(o, "instance_name"),
            Promotable = Bool(o, "promotable"),
            Checks = [.. (o?["checks"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new NoCutoverCheck(Text(c, "name") ?? "", Text(c, "result") ?? ""))],
            LagBytes = Number(o, "lag_bytes"),
            MaxLagBytes = Number(o, "max_lag_bytes"),
            BarrierLsn = Text(o, "barrier_lsn"),
            BarrierSeenSeconds = Number(o, "barrier_seen_s"),
            CloneSupported = Bool(clone, "supported"),
            CloneSkipped = Text(clone, "skipped"),
            CloneName = Text(clone, "name"),
            CloneCopySeconds = Number(clone, "copy_s"),
            CloneTimeToWritableSeconds = Number(clone, "time_to_writable_s"),
            CloneBarrierFound = Bool(clone, "barrier_found"),
            CloneCountsMatched = Bool(clone, "counts_matched"),
            CloneRemoved = Bool(clone, "removed"),
            StandbyUnchanged = Bool(after, "unchanged"),
        };
    }

    private static string? Text(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool? Bool(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static double? Number(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
