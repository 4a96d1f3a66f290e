using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Inputs;
using HybridOps.Core.State;

namespace HybridOps.Core.Contracts;

/// <summary>
/// Checks every step's inputs against its module spec the way deploy will use them, touching nothing:
/// unknown input names, required inputs still empty after defaults and --inputs, value types against the
/// spec's defaults, `*_state_ref` targets that a later step produces, and (with a state reader, for plan)
/// external state that is absent or not ok. Lists the guards deploy will demand of each step.
/// </summary>
public static class BlueprintCheck
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    /// <param name="loadModule">Loads a step's module spec (throws HyopsException for a broken one).</param>
    /// <param name="stateStatus">Status of published state (null when absent); null to skip state checks (validate).</param>
    public static BlueprintCheckResult Run(BlueprintSpec blueprint, Func<string, ModuleSpec> loadModule, JsonObject? overrides,
        Func<StateRef, string?>? stateStatus = null)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        ArgumentNullException.ThrowIfNull(loadModule);
        var errors = new List<Diagnostic>();
        var external = new List<(StateRef Target, string Step, SourceLocation At, string? Status)>();
        var guards = ImmutableDictionary.CreateBuilder<string, ImmutableArray<GuardDemand>>(StringComparer.Ordinal);
        var position = blueprint.Steps.Select((s, i) => (s, i)).ToDictionary(p => p.s.Id, p => p.i, StringComparer.Ordinal);
        var producers = blueprint.Steps
            .Where(s => s.Action == "deploy")
            .GroupBy(s => new StateRef(s.ModuleRef, s.StateInstance))
            .ToDictionary(g => g.Key, g => g.First());

        foreach (var step in blueprint.Steps)
        {
            guards[step.Id] = [];
            if (step.ProvidedOutside)
            {
                continue;
            }

            ModuleSpec spec;
            try
            {
                spec = loadModule(step.ModuleRef);
            }
            catch (HyopsException ex)
            {
                errors.AddRange(ex.Diagnostics);
                continue;
            }

            var where = $"step '{step.Id}'";
            if (!spec.Lifecycle.Contains(step.Action))
            {
                errors.Add(DiagnosticCatalog.UnknownAction.Create($"{where}: module '{spec.ModuleRef}' has no '{step.Action}' action", step.Location));
            }

            var given = step.InputsWith(overrides);
            CheckNames(step, spec, given, errors);
            var values = InputResolver.Layer(spec, given, null, NoEnvironment);
            foreach (var required in spec.RequiredInputs.Where(r => IsEmpty(values[r])))
            {
                errors.Add(DiagnosticCatalog.StepInputRequired.Create(
                    $"{where}: required input '{required}' of module '{spec.ModuleRef}' is empty after defaults and inputs", At(step, required)));
            }

            CheckTypes(step, spec, given, errors);
            CheckStateRefs(step, values, position, producers, stateStatus, errors, external);
            guards[step.Id] = [.. spec.Guards
                .Where(g => g.AppliesTo(step.Action, values))
                .Select(g => GuardDemand.Of(g, g.Check(where, values) is null))];
        }

        // One warning per external state that is not ready, naming every step that reads it.
        var warnings = external.GroupBy(e => e.Target).Select(g => DiagnosticCatalog.ExternalStateNotReady.Create(
            $"state '{g.Key}' is {(g.First().Status is null ? "absent" : $"'{g.First().Status}'")} in this runtime root and no step of this blueprint produces it; read by step(s) {string.Join(", ", g.Select(e => e.Step).Distinct())}",
            g.First().At));
        return new BlueprintCheckResult([.. errors], [.. warnings], guards.ToImmutable());
    }

    private static void CheckNames(BlueprintStep step, ModuleSpec spec, JsonObject given, List<Diagnostic> errors)
    {
        var known = spec.InputNames.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, _) in given.Where(p => !known.Contains(p.Key)))
        {
            errors.Add(DiagnosticCatalog.UnknownStepInput.Create(
                $"step '{step.Id}': input '{name}' is not an input of module '{spec.ModuleRef}'{NearestName.Hint(name, known)}", At(step, name)));
        }
    }

    private static void CheckTypes(BlueprintStep step, ModuleSpec spec, JsonObject given, List<Diagnostic> errors)
    {
        var defaults = spec.Defaults;
        foreach (var (name, value) in given)
        {
            if (value is null || defaults[name] is not { } expected || Kind(expected) == Kind(value))
            {
                continue;
            }

            errors.Add(DiagnosticCatalog.StepInputType.Create(
                $"step '{step.Id}': input '{name}' is {Article(Kind(value))}; module '{spec.ModuleRef}' expects {Article(Kind(expected))} (default {expected.ToJsonString()})",
                At(step, name)));
        }
    }

    private static void CheckStateRefs(BlueprintStep step, JsonObject values, Dictionary<string, int> position,
        Dictionary<StateRef, BlueprintStep> producers, Func<StateRef, string?>? stateStatus, List<Diagnostic> errors, List<(StateRef, string, SourceLocation, string?)> external)
    {
        foreach (var (name, node) in values.Where(p => p.Key.EndsWith("_state_ref", StringComparison.Ordinal)))
        {
            if (node is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length == 0)
            {
                continue; // a non-string state ref is a type error (reported) or empty (not used)
            }

            StateRef target;
            try
            {
                target = StateRef.Parse(text, name);
            }
            catch (HyopsException ex)
            {
                errors.AddRange(ex.Diagnostics.Select(d => d with { Message = $"step '{step.Id}': {d.Message}", Location = At(step, name) }));
                continue;
            }

            if (producers.TryGetValue(target, out var producer))
            {
                if (producer.Id != step.Id && position[producer.Id] > position[step.Id])
                {
                    errors.Add(DiagnosticCatalog.StateRefNotYetProduced.Create(
                        $"step '{step.Id}': input '{name}' reads '{target}', which step '{producer.Id}' produces only later", At(step, name)));
                }
            }
            else if (stateStatus is not null && stateStatus(target) is var status && status != StateStatus.Ok)
            {
                external.Add((target, step.Id, At(step, name), status));
            }
        }
    }

    private static SourceLocation At(BlueprintStep step, string input) => step.InputLocations.GetValueOrDefault(input) ?? step.Location;

    private static string Kind(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "mapping",
        _ => "null",
    };

    private static string Article(string kind) => kind == "null" ? "null" : $"a {kind}";

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        _ => false,
    };
}
