using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Contracts;

/// <summary>
/// A declared guard of a module (spec.yml `guards:`): an operator confirmation input that must be
/// given explicitly. Declared guards are checked before anything runs: by the module runner for a
/// single module, and by the blueprint engine for EVERY step before the first step starts, so a
/// blueprint missing a confirmation is refused before it changes anything. A guard is never implied
/// by a default.
/// </summary>
/// <param name="Input">The confirmation input, e.g. restore_confirm.</param>
/// <param name="EqualsInput">Typed identity: the value must equal this other input (e.g. cluster_name).</param>
/// <param name="RequireTrue">The value must be the boolean true.</param>
/// <param name="When">Applies only when these inputs have these values (e.g. apply_mode: restore).</param>
/// <param name="Actions">Lifecycle actions the guard applies to (default: deploy).</param>
public sealed record GuardSpec(
    string Input,
    string? EqualsInput,
    bool RequireTrue,
    ImmutableDictionary<string, string> When,
    ImmutableArray<string> Actions,
    string Description)
{
    /// <summary>
    /// Applies for the action and condition; a typed-identity guard whose identity input is itself empty
    /// is left to input validation (a missing input is an input error, not a guard refusal).
    /// </summary>
    public bool AppliesTo(string action, JsonObject values) =>
        Actions.Contains(action) && When.All(w => Text(values[w.Key]) == w.Value)
        && (EqualsInput is null || Text(values[EqualsInput]) is { Length: > 0 });

    /// <summary>The guard's failure for these inputs, or null when it is satisfied.</summary>
    public Diagnostic? Check(string where, JsonObject values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var given = values[Input];
        var why = string.IsNullOrEmpty(Description) ? "" : $" ({Description})";
        if (RequireTrue)
        {
            return given is JsonValue v && v.TryGetValue<bool>(out var b) && b
                ? null
                : Fail(DiagnosticCatalog.ConfirmationRequired, $"{where}: input '{Input}' must be set to true explicitly{why}");
        }

        var text = Text(given);
        if (text is null or "")
        {
            return Fail(DiagnosticCatalog.ConfirmationRequired, EqualsInput is null
                ? $"{where}: confirmation input '{Input}' is required{why}"
                : $"{where}: confirmation input '{Input}' is required: type the value of '{EqualsInput}' ('{Text(values[EqualsInput])}'){why}");
        }

        if (EqualsInput is not null && text != Text(values[EqualsInput]))
        {
            return Fail(DiagnosticCatalog.ConfirmationTargetMismatch,
                $"{where}: '{Input}' is '{text}' but must equal '{EqualsInput}' ('{Text(values[EqualsInput])}'){why}");
        }

        return null;
    }

    public static IReadOnlyList<Diagnostic> CheckAll(ModuleSpec spec, string action, JsonObject values, string where)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return [.. spec.Guards.Where(g => g.AppliesTo(action, values)).Select(g => g.Check(where, values)).OfType<Diagnostic>()];
    }

    private static Diagnostic Fail(DiagnosticDescriptor d, string message) => new(d.Code, d.ExitCode, message, d.Hint);

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v => Convert.ToString(v.GetValue<object>(), CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
