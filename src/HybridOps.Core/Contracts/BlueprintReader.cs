using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>Reads a BlueprintSpec mapping into a record; problems go to the map's error and warning lists.</summary>
internal static partial class BlueprintReader
{
    private static readonly string[] Actions = ["deploy", "status", "destroy"];

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex StepIdPattern();

    public static BlueprintSpec Read(YamlMap root, ModuleLookup modules, string? expectedRef, List<Diagnostic> errors)
    {
        ContractLoader.CheckHeader(root, "BlueprintSpec");
        root.CheckFields(KnownFields.BlueprintRoot, "");
        var bpRef = root.String("blueprint_ref", required: true);
        if (bpRef is not null && !ContractLoader.BlueprintRefPattern().IsMatch(bpRef))
        {
            root.Error(DiagnosticCatalog.InvalidField, $"blueprint_ref '{bpRef}' is not of the form scope/name@vN", root.LocationOf("blueprint_ref"));
        }
        else if (bpRef is not null && expectedRef is not null && bpRef != expectedRef)
        {
            root.Error(DiagnosticCatalog.BlueprintRefMismatch, $"blueprint_ref '{bpRef}' but the file lives at '{expectedRef}'", root.LocationOf("blueprint_ref"));
        }

        var mode = root.String("mode", false) ?? "";
        if (mode.Length > 0 && !Upstream.Modes.Contains(mode))
        {
            root.Warn(DiagnosticCatalog.UnknownMode, $"mode '{mode}' is not one of {string.Join(", ", Upstream.Modes.Order(StringComparer.Ordinal))}{NearestName.Hint(mode, Upstream.Modes)}", root.LocationOf("mode"));
        }

        var metadata = root.Map("metadata", required: false);
        metadata?.CheckFields(KnownFields.BlueprintMetadata, "metadata");
        var policy = root.Map("policy", required: false);
        policy?.CheckFields(KnownFields.Policy, "policy");
        if (root.Get("steps") is null)
        {
            root.Error(DiagnosticCatalog.MissingField, "missing required field 'steps'");
        }

        var steps = root.Maps("steps").Select((s, i) => ReadStep(s, i, modules)).OfType<BlueprintStep>().ToList();
        return new BlueprintSpec
        {
            BlueprintRef = bpRef ?? "",
            SourceFile = root.File,
            Mode = mode,
            Title = metadata?.String("title", false) ?? "",
            Description = metadata?.String("description", false) ?? "",
            FailFast = policy?.Bool("fail_fast", true) ?? true,
            EvidenceRequired = policy?.Bool("evidence_required", true) ?? true,
            Steps = StepGraph.Order(steps, errors),
        };
    }

    private static BlueprintStep? ReadStep(YamlMap s, int index, ModuleLookup modules)
    {
        var id = s.String("id", required: true);
        s.CheckFields(KnownFields.Step, $"steps[{id ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture)}]");
        if (id is not null && !StepIdPattern().IsMatch(id))
        {
            s.Error(DiagnosticCatalog.InvalidField, $"step id '{id}' must be 1-64 letters, digits, '_' or '-'", s.LocationOf("id"));
        }

        var declared = s.String("module_ref", required: true);
        var (moduleRef, outside) = Resolve(s, id, declared, modules);
        var action = s.String("action", false) ?? "deploy";
        action = Upstream.ActionAliases.GetValueOrDefault(action, action);
        if (!Actions.Contains(action))
        {
            s.Error(DiagnosticCatalog.UnknownAction, $"step '{id}': action '{action}' is not one of {string.Join(", ", Actions)}", s.LocationOf("action"));
        }

        var instance = s.String("state_instance", false);
        if (instance is not null && !State.StateRef.InstancePattern().IsMatch(instance))
        {
            s.Error(DiagnosticCatalog.StateInstanceInvalid, $"step '{id}': state_instance '{instance}' is invalid", s.LocationOf("state_instance"));
        }

        var requires = Requires(s, id);
        var inputs = s.Object("inputs");
        if (id is null || moduleRef is null)
        {
            return null;
        }

        return new BlueprintStep
        {
            Id = id,
            ModuleRef = moduleRef,
            DeclaredModuleRef = declared ?? moduleRef,
            ProvidedOutside = outside,
            StateInstance = instance,
            Action = action,
            Phase = s.String("phase", false) ?? "",
            Requires = requires,
            SkipIfStateOk = s.Bool("skip_if_state_ok", false),
            VerifyStateOnSkip = s.Bool("verify_state_on_skip", false),
            Optional = s.Bool("optional", false),
            PartialOnFailure = s.Bool("partial_on_failure", false),
            InputsNode = ResolveStateRefAliases(inputs, modules),
            InputLocations = s.Get("inputs") is YamlMappingNode m
                ? YamlMerge.Entries(m).GroupBy(e => e.Key.Value ?? "").ToImmutableDictionary(g => g.Key, g => s.At(g.First().Key))
                : ImmutableDictionary<string, SourceLocation>.Empty,
            Location = s.Location,
        };
    }

    private static (string? Ref, bool Outside) Resolve(YamlMap s, string? id, string? declared, ModuleLookup modules)
    {
        if (declared is null || modules.Exists(declared))
        {
            return (declared, false);
        }

        if (Upstream.ModuleAliases.TryGetValue(declared, out var ours) && modules.Exists(ours))
        {
            return (ours, false);
        }

        if (Upstream.ProvidedOutside.Contains(declared))
        {
            s.Warn(DiagnosticCatalog.ModuleOutsideHyops,
                $"step '{id}': module '{declared}' is provided outside hyops (this build does not ship it); deploy does not run the step and requires its state to exist and be ok",
                s.LocationOf("module_ref"));
            return (declared, true);
        }

        s.Error(DiagnosticCatalog.UnknownModuleRef,
            $"step '{id}': unknown module_ref '{declared}'{NearestName.Hint(declared, modules.Known.Concat(Upstream.ModuleAliases.Keys))}", s.LocationOf("module_ref"));
        return (declared, false);
    }

    private static ImmutableArray<string> Requires(YamlMap s, string? id)
    {
        var requires = s.Strings("requires");
        if (s.Get("requires") is YamlSequenceNode seq && requires.Length != requires.Distinct(StringComparer.Ordinal).Count())
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in seq.Children.OfType<YamlScalarNode>().Where(i => !seen.Add(i.Value ?? "")))
            {
                s.Error(DiagnosticCatalog.DuplicateRequirement, $"step '{id}': requires lists '{item.Value}' more than once", s.At(item));
            }

            return [.. requires.Distinct(StringComparer.Ordinal)];
        }

        return requires;
    }

    /// <summary>An upstream canonical ref in a `*_state_ref` input (platform/postgresql-ha#x) names the hyops module's state.</summary>
    private static JsonObject ResolveStateRefAliases(JsonObject inputs, ModuleLookup modules)
    {
        foreach (var (key, node) in inputs.ToList())
        {
            if (key.EndsWith("_state_ref", StringComparison.Ordinal) && node is JsonValue v && v.TryGetValue<string>(out var text))
            {
                var hash = text.IndexOf('#', StringComparison.Ordinal);
                var module = hash < 0 ? text : text[..hash];
                if (!modules.Exists(module) && Upstream.ModuleAliases.TryGetValue(module, out var ours))
                {
                    inputs[key] = ours + (hash < 0 ? "" : text[hash..]);
                }
            }
        }

        return inputs;
    }
}
