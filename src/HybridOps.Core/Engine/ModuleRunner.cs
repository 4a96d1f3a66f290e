using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Evidence;
using HybridOps.Core.Inputs;
using HybridOps.Core.Runtime;
using HybridOps.Core.State;

namespace HybridOps.Core.Engine;

/// <summary>
/// Runs one module action: validate everything first (nothing changes on bad input), take the root lock,
/// write `running` before any mutation, call the handler, publish the allow-listed outputs with
/// ok/partial/destroyed, or `error` with the diagnostic. Every run leaves a hash-chained run record.
/// </summary>
public sealed class ModuleRunner(HyopsRuntime runtime)
{
    public async Task<ModuleRunResult> RunAsync(ModuleRequest request, CancellationToken cancellationToken)
    {
        var spec = runtime.Content.LoadModule(request.ModuleRef);
        if (!spec.Lifecycle.Contains(request.Action))
        {
            throw HyopsException.From(DiagnosticCatalog.UnknownAction,
                $"module '{spec.ModuleRef}' has no '{request.Action}' action (lifecycle: {string.Join(", ", spec.Lifecycle)})");
        }

        var instance = request.Instance is null ? null : StateRef.ValidateInstance(request.Instance);
        var handler = runtime.Handlers.Get(spec.ModuleRef);
        var env = request.ApplyEnvironmentOverrides ? runtime.Environment : new Dictionary<string, string>();
        var inputs = runtime.Inputs.Resolve(spec, request.StepInputs, request.InputsFile, env);

        // Declared guards right after input resolution: refused before any state is written.
        var refused = GuardSpec.CheckAll(spec, request.Action, inputs.Values, instance is null ? spec.ModuleRef : $"{spec.ModuleRef}#{instance}");
        if (refused.Count > 0)
        {
            // Auditable refusal: a run record with the failed guards; no state is read or written.
            var refusal = new RunRecord(runtime.Root, "module", instance is null ? spec.ModuleId : $"{spec.ModuleId}#{instance}", RunIds.New(runtime.Time), runtime.Redactor, runtime.Time);
            refusal.Append("meta", new JsonObject { ["module_ref"] = spec.ModuleRef, ["instance"] = instance, ["action"] = request.Action, ["operator"] = Environment.UserName });
            foreach (var d in refused)
            {
                refusal.Guard(d.Code, false, new JsonObject { ["message"] = d.Message });
            }

            refusal.Append("result", new JsonObject { ["status"] = "refused", ["exit_code"] = (int)ExitCode.GuardRefused });
            throw new HyopsException([.. refused]);
        }

        var context = new ModuleContext
        {
            Spec = spec,
            Action = request.Action,
            Instance = instance,
            Inputs = inputs,
            Previous = runtime.States.Read(spec.ModuleRef, instance),
            Secrets = runtime.Secrets,
            Time = runtime.Time,
            States = runtime.States,
            Progress = runtime.Progress,
        };
        handler.Validate(context);

        var mutating = request.Action != "status";
        using var rootLock = mutating && !request.LockHeld ? RootLock.Acquire(runtime.Root) : null;
        var runId = RunIds.New(runtime.Time);
        var recordId = instance is null ? spec.ModuleId : $"{spec.ModuleId}#{instance}";
        var record = new RunRecord(runtime.Root, "module", recordId, runId, runtime.Redactor, runtime.Time);
        context.Record = record;
        var started = runtime.Time.GetTimestamp();
        record.Append("meta", new JsonObject
        {
            ["module_ref"] = spec.ModuleRef,
            ["instance"] = instance,
            ["action"] = request.Action,
            ["run_id"] = runId,
            ["operator"] = Environment.UserName,
            ["host"] = Environment.MachineName,
            ["pid"] = Environment.ProcessId,
            ["hyops_version"] = typeof(ModuleRunner).Assembly.GetName().Version?.ToString(),
        });
        record.Append("inputs", new JsonObject { ["values"] = inputs.Values.DeepClone(), ["hash"] = inputs.Hash, ["state_refs"] = StateRefsEvidence(inputs) });
        record.WriteDocument("inputs.json", inputs.Values.DeepClone());

        if (mutating)
        {
            WriteState(spec.ModuleRef, instance, StateStatus.Running, request.Action, runId, inputs.Hash, spec.ContractVersion,
                context.Previous?.Outputs ?? new JsonObject(), null);
        }

        try
        {
            var outcome = await handler.RunAsync(context, cancellationToken);
            var outputs = AllowListed(spec, outcome.Outputs, record);
            var exit = outcome.Status == StateStatus.Partial ? ExitCode.PartialCompletion : ExitCode.Success;
            var why = outcome.Diagnostics.IsDefaultOrEmpty ? null : outcome.Diagnostics[0];
            if (mutating)
            {
                WriteState(spec.ModuleRef, instance, outcome.Status, request.Action, runId, inputs.Hash, spec.ContractVersion, outputs,
                    outcome.Status == StateStatus.Partial && why is not null ? new StateError(why.Code, why.Message, why.Hint) : null);
            }

            Finish(record, outcome.Status, exit, outputs, outcome.Diagnostics, started);
            return Result(spec.ModuleRef, instance, request.Action, runId, outcome.Status, exit, outputs, outcome.Diagnostics, record, inputs.Hash);
        }
        catch (Exception ex) when (Failures.Normalize(ex, cancellationToken, $"{spec.ModuleRef} {request.Action}") is { } failure)
        {
            var diagnostics = failure.Diagnostics;
            var first = diagnostics[0];
            if (mutating)
            {
                WriteState(spec.ModuleRef, instance, StateStatus.Error, request.Action, runId, inputs.Hash, spec.ContractVersion,
                    OutputsAfterFailure(request.Action, context), new StateError(first.Code, first.Message, first.Hint));
            }

            Finish(record, StateStatus.Error, first.ExitCode, new JsonObject(), diagnostics, started);
            if (ReferenceEquals(failure, ex))
            {
                throw;
            }

            throw failure;
        }
        catch (Exception ex)
        {
            if (mutating)
            {
                WriteState(spec.ModuleRef, instance, StateStatus.Error, request.Action, runId, inputs.Hash, spec.ContractVersion,
                    OutputsAfterFailure(request.Action, context), new StateError("HYO0001", $"internal error: {ex.GetType().Name}: {ex.Message}", "this is a hyops bug; the run record has details"));
            }

            record.Append("exception", new JsonObject { ["type"] = ex.GetType().FullName, ["message"] = ex.Message, ["stack"] = ex.StackTrace });
            Finish(record, StateStatus.Error, ExitCode.InternalError, new JsonObject(), [], started);
            throw;
        }
    }

    private static JsonObject StateRefsEvidence(Inputs.ResolvedInputs inputs)
    {
        var o = new JsonObject();
        foreach (var (key, state) in inputs.States)
        {
            o[key] = new JsonObject { ["module_ref"] = state.ModuleRef, ["instance"] = state.Instance, ["run_id"] = state.RunId, ["status"] = state.Status };
        }

        return o;
    }

    private static JsonObject AllowListed(Contracts.ModuleSpec spec, JsonObject outputs, RunRecord record)
    {
        var published = new JsonObject();
        foreach (var (key, value) in outputs)
        {
            if (spec.OutputsPublish.Contains(key))
            {
                published[key] = value?.DeepClone();
            }
            else
            {
                record.Note($"output '{key}' is not in outputs.publish and was not published");
            }
        }

        if (spec.ContractVersion is not null)
        {
            published["contract_version"] = spec.ContractVersion;
        }

        return published;
    }

    /// <summary>
    /// What a failed run leaves in the state's outputs. A failed deploy withdraws the contract (what it
    /// published may no longer be true, e.g. two writable members). A failed destroy keeps what it was
    /// destroying, as it was: the thing still exists, and a rerun must find it (status error keeps every
    /// consumer that requires ok away from it).
    /// </summary>
    private static JsonObject OutputsAfterFailure(string action, ModuleContext context) =>
        action == "destroy" && context.Previous?.Outputs is { } previous ? (JsonObject)previous.DeepClone() : new JsonObject();

    private void WriteState(string moduleRef, string? instance, string status, string action, string runId, string hash, string? contractVersion, JsonObject outputs, StateError? error) =>
        runtime.States.Write(new ModuleState
        {
            ModuleRef = moduleRef,
            Instance = instance,
            Status = status,
            Action = action,
            RunId = runId,
            UpdatedAt = runtime.Time.GetUtcNow(),
            InputsHash = hash,
            ContractVersion = contractVersion,
            Outputs = (JsonObject)outputs.DeepClone(),
            Error = error,
        });

    private void Finish(RunRecord record, string status, ExitCode exit, JsonObject outputs, IEnumerable<Diagnostic> diagnostics, long started)
    {
        var diag = new JsonArray(diagnostics.Select(d => (JsonNode?)new JsonObject
        {
            ["code"] = d.Code, ["message"] = d.Message, ["hint"] = d.Hint, ["exit_code"] = (int)d.ExitCode,
        }).ToArray());
        record.Append("outputs", new JsonObject { ["published"] = outputs.DeepClone() });
        record.WriteDocument("outputs.json", outputs.DeepClone()); // before the result line, which seals the run
        record.Append("result", new JsonObject
        {
            ["status"] = status,
            ["exit_code"] = (int)exit,
            ["exit_name"] = exit.ToString(),
            ["diagnostics"] = diag,
            ["duration_ms"] = Math.Round(runtime.Time.GetElapsedTime(started).TotalMilliseconds, 1),
        });
    }

    private ModuleRunResult Result(string moduleRef, string? instance, string action, string runId, string status, ExitCode exit, JsonObject outputs,
        System.Collections.Immutable.ImmutableArray<Diagnostic> diagnostics, RunRecord record, string hash) => new()
    {
        ModuleRef = moduleRef,
        Instance = instance,
        Action = action,
        RunId = runId,
        Status = status,
        ExitCode = exit,
        Outputs = outputs,
        Diagnostics = diagnostics.IsDefault ? [] : diagnostics,
        RecordDir = record.Directory,
        StatePath = runtime.States.PathOf(moduleRef, instance),
        InputsHash = hash,
    };
}
