using System.Collections.Immutable;
using HybridOps.Core.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>Reads a ModuleSpec mapping into a record; problems go to the map's error and warning lists.</summary>
internal static class ModuleSpecReader
{
    private static readonly string[] Actions = ["deploy", "status", "destroy"];

    public static ModuleSpec Read(YamlMap root, string? expectedRef)
    {
        ContractLoader.CheckHeader(root, "ModuleSpec");
        root.CheckFields(KnownFields.ModuleRoot, "");
        var moduleRef = root.String("module_ref", required: true);
        if (moduleRef is not null && !ContractLoader.ModuleRefPattern().IsMatch(moduleRef))
        {
            root.Error(DiagnosticCatalog.InvalidField, $"module_ref '{moduleRef}' is not of the form scope/area/name", root.LocationOf("module_ref"));
        }
        else if (moduleRef is not null && expectedRef is not null && moduleRef != expectedRef)
        {
            root.Error(DiagnosticCatalog.ModuleRefMismatch, $"module_ref '{moduleRef}' but the spec lives at '{expectedRef}'", root.LocationOf("module_ref"));
        }

        var metadata = root.Map("metadata", required: false);
        metadata?.CheckFields(KnownFields.ModuleMetadata, "metadata");
        var inputs = root.Map("inputs", required: false);
        inputs?.CheckFields(KnownFields.ModuleInputs, "inputs");
        var execution = root.Map("execution", required: true);
        execution?.CheckFields(KnownFields.ModuleExecution, "execution");
        var outputs = root.Map("outputs", required: true);
        outputs?.CheckFields(KnownFields.ModuleOutputs, "outputs");
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

        var guards = root.Maps("guards").Select(g => ReadGuard(g)).OfType<GuardSpec>().ToImmutableArray();
        return new ModuleSpec
        {
            ModuleRef = moduleRef ?? "",
            SourceFile = root.File,
            Title = metadata?.String("title", false) ?? "",
            Description = metadata?.String("description", false) ?? "",
            Lifecycle = lifecycle.IsEmpty ? ["deploy", "status", "destroy"] : lifecycle,
            ApplyModes = root.Strings("apply_modes"),
            RequiredInputs = inputs?.Strings("required") ?? [],
            DefaultsNode = inputs?.Object("defaults") ?? new(),
            OutputsPublish = publish,
            ContractVersion = outputs?.String("contract_version", false),
            Driver = driver ?? "",
            Guards = guards,
        };
    }

    private static GuardSpec? ReadGuard(YamlMap g)
    {
        g.CheckFields(KnownFields.Guard, "guards[]");
        var input = g.String("input", required: true);
        var when = g.Map("when", required: false);
        var actions = g.Strings("actions");
        var equalsInput = g.String("equals_input", required: false);
        var requireTrue = g.Bool("require_true", false);
        if (input is not null && equalsInput is null && !requireTrue && g.Get("non_empty") is null)
        {
            g.Error(DiagnosticCatalog.InvalidField, $"guard '{input}' needs equals_input, require_true or non_empty", g.Location);
        }

        var conditions = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in when?.Entries ?? [])
        {
            if (value is YamlScalarNode s)
            {
                conditions[key.Value ?? ""] = s.Value ?? "";
            }
            else
            {
                g.Error(DiagnosticCatalog.InvalidField, $"guard '{input}': when.{key.Value} must be a plain value", g.At(value));
            }
        }

        return input is null ? null : new GuardSpec(
            input,
            equalsInput,
            requireTrue,
            conditions.ToImmutable(),
            actions.IsEmpty ? ["deploy"] : actions,
            g.String("description", required: false) ?? "");
    }
}
