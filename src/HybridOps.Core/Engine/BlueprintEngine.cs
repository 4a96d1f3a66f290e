using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Evidence;
using HybridOps.Core.Inputs;
using HybridOps.Core.Runtime;
using HybridOps.Core.State;

namespace HybridOps.Core.Engine;

/// <summary>
/// Runs a blueprint's steps in dependency order under one root lock. Fail-fast: the first failing
/// step stops the run and later steps are reported `not_run`. A step with skip_if_state_ok whose
/// state is ok and whose inputs hash is unchanged is skipped. The blueprint gets its own run record
/// and state (state/blueprints/&lt;id&gt;/latest.json).
/// </summary>
public sealed class BlueprintEngine(HyopsRuntime runtime)
{
    /// <summary>Planned steps: what would run and what would be skipped. Touches no infrastructure.</summary>
    public ImmutableArray<PlannedStep> Plan(BlueprintSpec blueprint, JsonObject? overrides)
    {
        var planned = ImmutableArray.CreateBuilder<PlannedStep>();
        foreach (var step in blueprint.Steps)
        {
            var spec = runtime.Content.LoadModule(step.ModuleRef);
            var values = InputResolver.Layer(spec, StepInputs(step, overrides), null, new Dictionary<string, string>());
            var hash = Json.Hash(values);
            var state = runtime.States.Read(step.ModuleRef, step.StateInstance);
            var skip = step.SkipIfStateOk && state?.Status == StateStatus.Ok && state.InputsHash == hash;
            planned.Add(new PlannedStep(step.Id, step.ModuleRef, step.StateInstance, step.Action, step.Phase, step.Requires,
                skip ? "skip" : "run", state?.Status, hash));
        }

        return planned.ToImmutable();
    }

    public async Task<BlueprintRunResult> DeployAsync(BlueprintSpec blueprint, JsonObject? overrides, CancellationToken cancellationToken)
    {
        // Validate every step's contract up front, so a broken spec fails before anything runs.
        foreach (var step in blueprint.Steps)
        {
            var spec = runtime.Content.LoadModule(step.ModuleRef);
            if (!spec.Lifecycle.Contains(step.Action))
            {
                throw HyopsException.From(DiagnosticCatalog.UnknownAction, $"step '{step.Id}': module '{spec.ModuleRef}' has no '{step.Action}' action", step.Location);
            }

            runtime.Handlers.Get(step.ModuleRef);
        }

        // Every step's declared guards before the first step runs: a blueprint missing a confirmation
        // (restore_confirm, a gate's confirm, a fence confirmation) is refused before anything changes.
        var refused = blueprint.Steps
            .SelectMany(step => GuardSpec.CheckAll(runtime.Content.LoadModule(step.ModuleRef), step.Action,
                InputResolver.Layer(runtime.Content.LoadModule(step.ModuleRef), StepInputs(step, overrides), null, new Dictionary<string, string>()),
                $"step '{step.Id}'"))
            .ToList();
        if (refused.Count > 0)
        {
            var refusal = new RunRecord(runtime.Root, "blueprint", blueprint.BlueprintId, RunIds.New(runtime.Time), runtime.Redactor, runtime.Time);
            refusal.Append("meta", new JsonObject { ["blueprint_ref"] = blueprint.BlueprintRef, ["operator"] = Environment.UserName });
            foreach (var d in refused)
            {
                refusal.Guard(d.Code, false, new JsonObject { ["message"] = d.Message });
            }

            refusal.Append("result", new JsonObject { ["status"] = "refused", ["exit_code"] = (int)ExitCode.GuardRefused, ["steps_run"] = 0 });
            throw new HyopsException([.. refused]);
        }

        using var rootLock = RootLock.Acquire(runtime.Root);
        var runStartedAt = runtime.Time.GetUtcNow();
        var runId = RunIds.New(runtime.Time);
        var record = new RunRecord(runtime.Root, "blueprint", blueprint.BlueprintId, runId, runtime.Redactor, runtime.Time);
        record.Append("meta", new JsonObject
        {
            ["blueprint_ref"] = blueprint.BlueprintRef,
            ["run_id"] = runId,
            ["operator"] = Environment.UserName,
            ["steps"] = new JsonArray(blueprint.Steps.Select(s => (JsonNode?)s.Id).ToArray()),
        });
        var plan = Plan(blueprint, overrides).ToDictionary(p => p.Id);
        var results = new List<StepResult>();
        var diagnostics = ImmutableArray<Diagnostic>.Empty;
        var status = StateStatus.Ok;
        var exit = ExitCode.Success;
        var halted = false;
        WriteBlueprintState(blueprint, runId, StateStatus.Running, ExitCode.Success, results);

        foreach (var step in blueprint.Steps)
        {
            if ((status == StateStatus.Error && blueprint.FailFast) || halted)
            {
                results.Add(new StepResult(step.Id, step.ModuleRef, step.StateInstance, step.Action, "not_run", null, "an earlier step failed", 0));
                continue;
            }

            if (plan[step.Id].Decision == "skip")
            {
                results.Add(new StepResult(step.Id, step.ModuleRef, step.StateInstance, step.Action, "skipped", null, "state ok and inputs unchanged", 0));
                record.Append("step", new JsonObject { ["id"] = step.Id, ["status"] = "skipped" });
                continue;
            }

            runtime.Progress.Report($"step {step.Id}: {step.Action} {step.ModuleRef}{(step.StateInstance is null ? "" : "#" + step.StateInstance)}");
            var started = runtime.Time.GetTimestamp();
            var startedAt = runtime.Time.GetUtcNow();
            try
            {
                var r = await new ModuleRunner(runtime).RunAsync(new ModuleRequest
                {
                    ModuleRef = step.ModuleRef,
                    Action = step.Action,
                    Instance = step.StateInstance,
                    StepInputs = StepInputs(step, overrides),
                    ApplyEnvironmentOverrides = false,
                    LockHeld = true,
                }, cancellationToken);
                var ms = runtime.Time.GetElapsedTime(started).TotalMilliseconds;
                var endedAt = runtime.Time.GetUtcNow();
                results.Add(new StepResult(step.Id, step.ModuleRef, step.StateInstance, step.Action, r.Status, r.RunId, null, ms, startedAt, endedAt, step.Phase));
                record.Append("step", new JsonObject
                {
                    ["id"] = step.Id, ["status"] = r.Status, ["module_run_id"] = r.RunId, ["duration_ms"] = ms,
                    ["started_at"] = startedAt.ToString("O"), ["ended_at"] = endedAt.ToString("O"),
                });
                if (r.Status == StateStatus.Partial)
                {
                    status = StateStatus.Partial;
                    exit = ExitCode.PartialCompletion;
                    diagnostics = diagnostics.AddRange(r.Diagnostics);
                }
            }
            catch (Exception ex) when (Failures.Normalize(ex) is { } failure)
            {
                var ms = runtime.Time.GetElapsedTime(started).TotalMilliseconds;
                var first = failure.Diagnostics[0];
                var endedAt = runtime.Time.GetUtcNow();
                results.Add(new StepResult(step.Id, step.ModuleRef, step.StateInstance, step.Action, StateStatus.Error, null, $"{first.Code}: {first.Message}", ms, startedAt, endedAt, step.Phase));
                record.Append("step", new JsonObject
                {
                    ["id"] = step.Id, ["status"] = StateStatus.Error, ["code"] = first.Code, ["message"] = first.Message,
                    ["started_at"] = startedAt.ToString("O"), ["ended_at"] = endedAt.ToString("O"),
                });
                diagnostics = diagnostics.AddRange(failure.Diagnostics);
                if (step.PartialOnFailure && status != StateStatus.Error && results.Any(r => r.Status is StateStatus.Ok or "skipped"))
                {
                    // What the earlier steps did stands (e.g. the promotion); the blueprint completed partially.
                    status = StateStatus.Partial;
                    exit = ExitCode.PartialCompletion;
                    halted = true;
                    record.Append("partial", new JsonObject { ["step"] = step.Id, ["code"] = first.Code, ["exit_code_of_step"] = (int)first.ExitCode });
                }
                else
                {
                    status = StateStatus.Error;
                    exit = first.ExitCode;
                }
            }
        }

        record.Append("result", new JsonObject { ["status"] = status, ["exit_code"] = (int)exit });
        WriteBlueprintState(blueprint, runId, status, exit, results);
        return new BlueprintRunResult
        {
            BlueprintRef = blueprint.BlueprintRef,
            RunId = runId,
            Status = status,
            ExitCode = exit,
            Steps = [.. results],
            Diagnostics = diagnostics,
            RecordDir = record.Directory,
            StartedAt = runStartedAt,
            EndedAt = runtime.Time.GetUtcNow(),
        };
    }

    public JsonObject? ReadState(BlueprintSpec blueprint)
    {
        var path = StatePath(blueprint);
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?.AsObject() : null;
    }

    private string StatePath(BlueprintSpec blueprint) => Path.Combine(runtime.Root, "state", "blueprints", blueprint.BlueprintId, "latest.json");

    private static JsonObject StepInputs(BlueprintStep step, JsonObject? overrides)
    {
        var inputs = step.Inputs;
        if (overrides?[step.Id] is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                inputs[k] = v?.DeepClone();
            }
        }

        return inputs;
    }

    private void WriteBlueprintState(BlueprintSpec blueprint, string runId, string status, ExitCode exit, List<StepResult> steps)
    {
        var doc = new JsonObject
        {
            ["blueprint_ref"] = blueprint.BlueprintRef,
            ["status"] = status,
            ["exit_code"] = (int)exit,
            ["run_id"] = runId,
            ["updated_at"] = runtime.Time.GetUtcNow().ToString("O"),
            ["steps"] = Json.ToArray(steps, CoreJsonContext.Default.ListStepResult),
        };
        AtomicFile.WriteAllText(StatePath(blueprint), doc.ToJsonString(Json.Options), runtime.Redactor.Redact);
    }
}

/// <summary>A step as the plan shows it.</summary>
public sealed record PlannedStep(string Id, string ModuleRef, string? Instance, string Action, string Phase, ImmutableArray<string> Requires, string Decision, string? CurrentStatus, string InputsHash);
