using System.Collections.Immutable;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>
/// Reads ModuleSpec and BlueprintSpec files into validated records. Every problem becomes a
/// diagnostic with file:line; a file with any error yields no record at all (HyopsException).
/// </summary>
public static partial class ContractLoader
{
    public const string ApiVersion = "hybridops/v1";
    private static readonly string[] Actions = ["deploy", "status", "destroy"];

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)+$")]
    public static partial Regex ModuleRefPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*@v[0-9]+$")]
    public static partial Regex BlueprintRefPattern();

    public static ModuleSpec LoadModule(string file, string? expectedRef = null)
    {
        var errors = new List<Diagnostic>();
        var root = ReadRoot(file, errors);
        ModuleSpec? spec = null;
        if (root is not null)
        {
            CheckHeader(root, "ModuleSpec");
            var moduleRef = root.String("module_ref", required: true);
            if (moduleRef is not null && !ModuleRefPattern().IsMatch(moduleRef))
            {
                root.Error(DiagnosticCatalog.InvalidField, $"module_ref '{moduleRef}' is not of the form scope/area/name", root.LocationOf("module_ref"));
            }
            else if (moduleRef is not null && expectedRef is not null && moduleRef != expectedRef)
            {
                root.Error(DiagnosticCatalog.ModuleRefMismatch, $"module_ref '{moduleRef}' but the spec lives at '{expectedRef}'", root.LocationOf("module_ref"));
            }

            var metadata = root.Map("metadata", required: false);
            var inputs = root.Map("inputs", required: false);
            var execution = root.Map("execution", required: true);
            var outputs = root.Map("outputs", required: true);
            var lifecycle = root.Strings("lifecycle");
            foreach (var verb in lifecycle.Where(v => !Actions.Contains(v)))
            {
                root.Error(DiagnosticCatalog.InvalidField, $"lifecycle verb '{verb}' is not one of {string.Join(", ", Actions)}", root.LocationOf("lifecycle"));
            }

            var driver = execution?.String("driver", required: true);
            var publish = outputs?.Strings("publish") ?? [];
            if (outputs is not null && outputs.Get("publish") is null)
            {
                outputs.Error(DiagnosticCatalog.MissingField, "missing required field 'outputs.publish'");
            }

            spec = new ModuleSpec
            {
                ModuleRef = moduleRef ?? "",
                SourceFile = file,
                Title = metadata?.String("title", false) ?? "",
                Description = metadata?.String("description", false) ?? "",
                Lifecycle = lifecycle.IsEmpty ? ["deploy", "status", "destroy"] : lifecycle,
                ApplyModes = root.Strings("apply_modes"),
                RequiredInputs = inputs?.Strings("required") ?? [],
                DefaultsNode = inputs?.Object("defaults") ?? new(),
                OutputsPublish = publish,
                ContractVersion = outputs?.String("contract_version", false),
                Driver = driver ?? "",
                Guards = [.. root.Maps("guards").Select(ReadGuard).OfType<GuardSpec>()],
            };
        }

        ThrowIfAny(errors);
        return spec!;
    }

    private static GuardSpec? ReadGuard(YamlMap g)
    {
        var input = g.String("input", required: true);
        var when = g.Map("when", required: false);
        var actions = g.Strings("actions");
        var equalsInput = g.String("equals_input", required: false);
        var requireTrue = g.Bool("require_true", false);
        if (input is not null && equalsInput is null && !requireTrue && g.Get("non_empty") is null)
        {
            g.Error(DiagnosticCatalog.InvalidField, $"guard '{input}' needs equals_input, require_true or non_empty", g.Location);
        }

        return input is null ? null : new GuardSpec(
            input,
            equalsInput,
            requireTrue,
            when is null ? ImmutableDictionary<string, string>.Empty
                : when.Node.Children.ToImmutableDictionary(c => ((YamlDotNet.RepresentationModel.YamlScalarNode)c.Key).Value ?? "", c => (c.Value as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value ?? ""),
            actions.IsEmpty ? ["deploy"] : actions,
            g.String("description", required: false) ?? "");
    }

    public static BlueprintSpec LoadBlueprint(string file, Func<string, bool> moduleExists, string? expectedRef = null)
    {
        var errors = new List<Diagnostic>();
        var root = ReadRoot(file, errors);
        BlueprintSpec? spec = null;
        if (root is not null)
        {
            CheckHeader(root, "BlueprintSpec");
            var bpRef = root.String("blueprint_ref", required: true);
            if (bpRef is not null && !BlueprintRefPattern().IsMatch(bpRef))
            {
                root.Error(DiagnosticCatalog.InvalidField, $"blueprint_ref '{bpRef}' is not of the form scope/name@vN", root.LocationOf("blueprint_ref"));
            }
            else if (bpRef is not null && expectedRef is not null && bpRef != expectedRef)
            {
                root.Error(DiagnosticCatalog.BlueprintRefMismatch, $"blueprint_ref '{bpRef}' but the file lives at '{expectedRef}'", root.LocationOf("blueprint_ref"));
            }

            var metadata = root.Map("metadata", required: false);
            var policy = root.Map("policy", required: false);
            if (root.Get("steps") is null)
            {
                root.Error(DiagnosticCatalog.MissingField, "missing required field 'steps'");
            }

            var steps = root.Maps("steps").Select(s => ReadStep(s, moduleExists)).Where(s => s is not null).Cast<BlueprintStep>().ToList();
            spec = new BlueprintSpec
            {
                BlueprintRef = bpRef ?? "",
                SourceFile = file,
                Mode = root.String("mode", false) ?? "",
                Title = metadata?.String("title", false) ?? "",
                Description = metadata?.String("description", false) ?? "",
                FailFast = policy?.Bool("fail_fast", true) ?? true,
                EvidenceRequired = policy?.Bool("evidence_required", true) ?? true,
                Steps = StepGraph.Order(steps, errors),
            };
        }

        ThrowIfAny(errors);
        return spec!;
    }

    private static BlueprintStep? ReadStep(YamlMap s, Func<string, bool> moduleExists)
    {
        var id = s.String("id", required: true);
        var moduleRef = s.String("module_ref", required: true);
        if (moduleRef is not null && !moduleExists(moduleRef))
        {
            s.Error(DiagnosticCatalog.UnknownModuleRef, $"step '{id}': unknown module_ref '{moduleRef}'", s.LocationOf("module_ref"));
        }

        var action = s.String("action", false) ?? "deploy";
        if (!Actions.Contains(action))
        {
            s.Error(DiagnosticCatalog.UnknownAction, $"step '{id}': action '{action}' is not one of {string.Join(", ", Actions)}", s.LocationOf("action"));
        }

        var instance = s.String("state_instance", false);
        if (instance is not null && !State.StateRef.InstancePattern().IsMatch(instance))
        {
            s.Error(DiagnosticCatalog.StateInstanceInvalid, $"step '{id}': state_instance '{instance}' is invalid", s.LocationOf("state_instance"));
        }

        if (id is null || moduleRef is null)
        {
            return null;
        }

        return new BlueprintStep
        {
            Id = id,
            ModuleRef = moduleRef,
            StateInstance = instance,
            Action = action,
            Phase = s.String("phase", false) ?? "",
            Requires = s.Strings("requires"),
            SkipIfStateOk = s.Bool("skip_if_state_ok", false),
            PartialOnFailure = s.Bool("partial_on_failure", false),
            InputsNode = s.Object("inputs"),
            Location = s.Location,
        };
    }

    private static YamlMap? ReadRoot(string file, List<Diagnostic> errors)
    {
        if (!File.Exists(file))
        {
            errors.Add(DiagnosticCatalog.ContractNotFound.Create($"contract file '{file}' does not exist", new SourceLocation(file, 0)));
            return null;
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            errors.Add(DiagnosticCatalog.YamlSyntax.Create(ex.Message, new SourceLocation(file, (int)ex.Start.Line, (int)ex.Start.Column)));
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            errors.Add(DiagnosticCatalog.InvalidField.Create("the contract must be a YAML mapping", new SourceLocation(file, 1)));
            return null;
        }

        return new YamlMap(file, map, errors);
    }

    private static void CheckHeader(YamlMap root, string kind)
    {
        var api = root.String("api_version", required: true);
        if (api is not null && api != ApiVersion)
        {
            root.Error(DiagnosticCatalog.UnsupportedApiVersion, $"api_version '{api}' is not supported", root.LocationOf("api_version"));
        }

        var k = root.String("kind", required: true);
        if (k is not null && k != kind)
        {
            root.Error(DiagnosticCatalog.WrongKind, $"kind '{k}' where '{kind}' was expected", root.LocationOf("kind"));
        }
    }

    private static void ThrowIfAny(List<Diagnostic> errors)
    {
        if (errors.Count > 0)
        {
            throw new HyopsException(errors.ToImmutableArray());
        }
    }
}
