using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.State;

namespace HybridOps.Core.Inputs;

/// <summary>Inputs after defaults, overrides and state-ref resolution; States is keyed by the *_state_ref input name.</summary>
public sealed record ResolvedInputs(JsonObject Values, ImmutableDictionary<string, ModuleState> States, string Hash)
{
    public string? String(string key) => Values[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    public bool Bool(string key) => Values[key] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public ModuleState? State(string key) => States.TryGetValue(key, out var s) ? s : null;
}
