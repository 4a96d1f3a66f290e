using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Inputs;

/// <summary>
/// Layers inputs in a fixed order: spec defaults, blueprint step inputs, --inputs FILE,
/// HYOPS_INPUT_&lt;a&gt;__&lt;b&gt; environment overrides; then checks required inputs, rejects literal
/// secrets, and resolves every non-empty *_state_ref against published state (fail fast).
/// Nothing here touches infrastructure.
/// </summary>
public sealed class InputResolver(StateStore states)
{
    public const string EnvPrefix = "HYOPS_INPUT_";

    public ResolvedInputs Resolve(ModuleSpec spec, JsonObject? stepInputs, string? inputsFile, IReadOnlyDictionary<string, string> env)
    {
        var values = Layer(spec, stepInputs, inputsFile, env);
        return Finish(spec, values);
    }

    /// <summary>Defaults and overrides only, without checks or state resolution (for plans).</summary>
    public static JsonObject Layer(ModuleSpec spec, JsonObject? stepInputs, string? inputsFile, IReadOnlyDictionary<string, string> env)
    {
        var values = spec.Defaults;
        Merge(values, stepInputs);
        if (inputsFile is not null)
        {
            Merge(values, ReadFile(inputsFile));
        }

        foreach (var (name, raw) in env.Where(e => e.Key.StartsWith(EnvPrefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var path = name[EnvPrefix.Length..].ToLowerInvariant().Split("__");
            if (path.Any(p => p.Length == 0))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"environment override '{name}' has an empty path segment");
            }

            SetPath(values, path, ParseScalar(raw));
        }

        return values;
    }

    public ResolvedInputs Finish(ModuleSpec spec, JsonObject values)
    {
        foreach (var required in spec.RequiredInputs.Where(r => IsEmpty(values[r])))
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired,
                $"module '{spec.ModuleRef}': required input '{required}' is missing or empty");
        }

        RejectLiteralSecrets(values, "");
        var resolved = ImmutableDictionary.CreateBuilder<string, ModuleState>(StringComparer.Ordinal);
        foreach (var (key, node) in values.Where(p => p.Key.EndsWith("_state_ref", StringComparison.Ordinal)))
        {
            if (node is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0)
            {
                resolved[key] = states.RequireOk(StateRef.Parse(text, key), key);
            }
            else if (node is not null && !IsEmpty(node))
            {
                throw HyopsException.From(DiagnosticCatalog.StateRefInvalid, $"input '{key}' must be a string state reference");
            }
        }

        return new ResolvedInputs(values, resolved.ToImmutable(), Json.Hash(values));
    }

    public static JsonObject ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw HyopsException.From(DiagnosticCatalog.InputsFileInvalid, $"inputs file '{path}' does not exist");
        }

        var errors = new List<Diagnostic>();
        var root = SafeYaml.LoadFile(path, errors, DiagnosticCatalog.InputsFileInvalid);
        if (errors.Count > 0)
        {
            throw new HyopsException([.. errors]);
        }

        if (root is null)
        {
            return new JsonObject();
        }

        if (root is not YamlMappingNode map)
        {
            throw HyopsException.From(DiagnosticCatalog.InputsFileInvalid, "inputs file must be a mapping of input names to values", new SourceLocation(path, 1));
        }

        return YamlJson.ToObject(map);
    }

    private void RejectLiteralSecrets(JsonObject obj, string prefix)
    {
        foreach (var (key, node) in obj)
        {
            if (node is JsonObject child)
            {
                RejectLiteralSecrets(child, $"{prefix}{key}.");
            }
            else if (SecretResolver.LooksLikeSecretInputName(key) && node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
            {
                throw HyopsException.From(DiagnosticCatalog.LiteralSecret,
                    $"input '{prefix}{key}' carries a literal secret value; secrets are never accepted as inputs");
            }
        }
    }

    private static void Merge(JsonObject target, JsonObject? overlay)
    {
        if (overlay is null)
        {
            return;
        }

        foreach (var (key, node) in overlay)
        {
            target[key] = node?.DeepClone();
        }
    }

    private static void SetPath(JsonObject target, string[] path, JsonNode? value)
    {
        var current = target;
        foreach (var segment in path[..^1])
        {
            if (current[segment] is not JsonObject next)
            {
                next = new JsonObject();
                current[segment] = next;
            }

            current = next;
        }

        current[path[^1]] = value;
    }

    /// <summary>Environment values are YAML: `true`, `5`, `[a, b]` and `{k: v}` get their types.</summary>
    private static JsonNode? ParseScalar(string raw)
    {
        var errors = new List<Diagnostic>();
        var node = SafeYaml.LoadText("environment", raw, errors);
        return errors.Count > 0 ? JsonValue.Create(raw) : node is null ? null : YamlJson.ToJson(node);
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        _ => false,
    };
}
