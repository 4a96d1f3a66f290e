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
    /// <summary>
    /// Every step's inputs against its module spec, and the guards deploy will demand (<see cref="BlueprintCheck"/>),
    /// with state read from this runtime root. Touches nothing.
    /// </summary>
    public BlueprintCheckResult Check(BlueprintSpec blueprint, JsonObject? overrides) =>
        BlueprintCheck.Run(blueprint, runtime.Content.LoadModule, overrides, r => runtime.States.Read(r.ModuleRef, r.Instance)?.Status);

    /// <summary>
    /// Planned steps: what would run, be skipped, be checked live before skipping (verify) or is provided
    /// outside hyops, and the guards each step will ask for. Fails like deploy would on a step input error.
    /// Touches no infrastructure.
    /// </summary>
    public ImmutableArray<PlannedStep> Plan(BlueprintSpec blueprint, JsonObject? overrides)
    {
        var check = Check(blueprint, overrides);
        check.ThrowIfErrors();
        var planned = ImmutableArray.CreateBuilder<PlannedStep>();
        foreach (var step in blueprint.Steps)
        {
            var state = runtime.States.Read(step.ModuleRef, step.StateInstance);
            if (step.ProvidedOutside)
            {
                planned.Add(new PlannedStep(step.Id, step.ModuleRef, step.StateInstance, step.Action, step.Phase, step.Requires,
                    "outside", state?.Status, "", []));
                continue;
            }

            var spec = runtime.Content.LoadModule(step.ModuleRef);
            var values = InputResolver.Layer(spec, step.InputsWith(overrides), null, new Dictionary<string, string>());
            var hash = Json.Hash(values);
            var unchanged = step.SkipIfStateOk && state?.Status == StateStatus.Ok && state.InputsHash == hash;
            var decision = !unchanged ? "run" : step.VerifyStateOnSkip && spec.Lifecycle.Contains("status") ? "verify" : "skip";
            planned.Add(new PlannedStep(step.Id, step.ModuleRef, step.StateInstance, step.Action, step.Phase, step.Requires,
                decision, state?.Status, hash, check.Guards.GetValueOrDefault(step.Id, [])));
        }

        return planned.ToImmutable();
    }

    public async Task<BlueprintRunResult> DeployAsync(BlueprintSpec blueprint, JsonObject? overrides, CancellationToken cancellationToken)
    {
        // Validate every step's contract and inputs up front, so a broken spec or input fails before anything runs.
        Check(blueprint, overrides).ThrowIfErrors();
        foreach (var step in blueprint.Steps.Where(s => s.ProvidedOutside))
        {
            // Provided outside hyops: the state it publishes must already be there; the step is not run.
            var published = runtime.States.Read(step.ModuleRef, step.StateInstance);
            if (published?.Status != StateStatus.Ok)
            {
                throw HyopsException.From(DiagnosticCatalog.StateAbsent,
                    $"step '{step.Id}': module '{step.ModuleRef}' is provided outside hyops and its state{(step.StateInstance is null ? "" : $" (instance {step.StateInstance})")} is {published?.Status ?? "absent"}; deploy it with upstream HybridOps first",
                    step.Location);
            }
        }

        foreach (var step in blueprint.Steps.Where(s => !s.ProvidedOutside))
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
            .Where(step => !step.ProvidedOutside)
            .SelectMany(step => GuardSpec.CheckAll(runtime.Content.LoadModule(step.ModuleRef), step.Action,
                InputResolver.Layer(runtime.Content.LoadModule(step.ModuleRef), step.InputsWith(overrides), null, new Dictionary<string, string>()),
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

            if (plan[step.Id].Decision == "outside")
            {
                results.Add(new StepResult(step.Id, step.ModuleRef, step.StateInstance, step.Action, "outside", null, "provided outside hyops; its state is ok", 0));
                record.Append("step", new JsonObject { ["id"] = step.Id, ["status"] = "outside" });
                continue;
            }

            if (plan[step.Id].Decision == "verify" && await LiveStatusOkAsync(step, overrides, cancellationToken))
            {
                results.Add(new StepResult(step.Id, step.ModuleRef, step.StateInstance, step.Action, "skipped", null, "state ok, inputs unchanged, live status ok", 0));
                record.Append("step", new JsonObject { ["id"] = step.Id, ["status"] = "skipped", ["verified"] = true });
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
                    StepInputs = step.InputsWith(overrides),
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
            catch (Exception ex) when (Failures.Normalize(ex, cancellationToken, $"step {step.Id}") is { } failure)
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
                if (step.Optional)
                {
                    // An optional step's failure is recorded and the blueprint goes on (upstream `optional`).
                    results[^1] = results[^1] with { Status = "failed-optional" };
                    record.Append("optional_failure", new JsonObject { ["step"] = step.Id, ["code"] = first.Code });
                    continue;
                }

                if (step.PartialOnFailure && status != StateStatus.Error && results.Any(r => r.Status is StateStatus.Ok or "skipped"))
                {
                    // What the earlier steps did stands (e.g. the promotion); the blueprint completed partially.
                    status = StateStatus.Partial;
                    exit = ExitCode.PartialCompletion;
                    halted = true;
                    record.Append("partial", new JsonObject { ["step"] = step.Id, ["code"] = first.Code, ["exit_code_of_step"] = (int)first.ExitCode });
                }
                else if (first.ExitCode == ExitCode.FencedNotPromoted)
                {
                    // Not "nothing was changed": the fence stands. Its own status, and no later step runs.
                    status = StateStatus.Fenced;
                    exit = ExitCode.FencedNotPromoted;
                    halted = true;
                    record.Append("fenced", new JsonObject { ["step"] = step.Id, ["code"] = first.Code });
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

    /// <summary>verify_state_on_skip: the module's read-only `status` must answer ok before a step is skipped.</summary>
    private async Task<bool> LiveStatusOkAsync(BlueprintStep step, JsonObject? overrides, CancellationToken cancellationToken)
    {
        try
        {
            var r = await new ModuleRunner(runtime).RunAsync(new ModuleRequest
            {
                ModuleRef = step.ModuleRef,
                Action = "status",
                Instance = step.StateInstance,
                StepInputs = step.InputsWith(overrides),
                ApplyEnvironmentOverrides = false,
                LockHeld = true,
            }, cancellationToken);
            return r.Status == StateStatus.Ok;
        }
        catch (Exception ex) when (Failures.Normalize(ex) is not null)
        {
            return false; // drift or unreachable: run the step instead of trusting the recorded state
        }
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
public sealed record PlannedStep(string Id, string ModuleRef, string? Instance, string Action, string Phase, ImmutableArray<string> Requires,
    string Decision, string? CurrentStatus, string InputsHash, ImmutableArray<GuardDemand> Guards);
