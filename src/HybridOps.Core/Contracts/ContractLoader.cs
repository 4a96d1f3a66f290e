using System.Collections.Immutable;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>
/// Reads ModuleSpec and BlueprintSpec files into validated records. Every problem becomes a
/// diagnostic with file:line; a file with any error yields no record at all (HyopsException).
/// YAML is read through <see cref="SafeYaml"/>, so no file can crash or exhaust the loader.
/// Unknown fields are warnings on the record, errors with <see cref="ContractOptions.Strict"/>.
/// </summary>
public static partial class ContractLoader
{
    public const string ApiVersion = "hybridops/v1";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)+$")]
    public static partial Regex ModuleRefPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*@v[0-9]+$")]
    public static partial Regex BlueprintRefPattern();

    public static ModuleSpec LoadModule(string file, string? expectedRef = null, ContractOptions? options = null) =>
        Load(file, errors => ReadFile(file, errors), (root, _) => ModuleSpecReader.Read(root, expectedRef),
            (spec, w) => spec with { Warnings = w }, options);

    /// <summary>Loads a ModuleSpec from text (tests and the fuzz corpus); <paramref name="file"/> names it in diagnostics.</summary>
    public static ModuleSpec LoadModuleText(string file, string text, string? expectedRef = null, ContractOptions? options = null) =>
        Load(file, errors => SafeYaml.LoadText(file, text, errors), (root, _) => ModuleSpecReader.Read(root, expectedRef),
            (spec, w) => spec with { Warnings = w }, options);

    public static BlueprintSpec LoadBlueprint(string file, Func<string, bool> moduleExists, string? expectedRef = null) =>
        LoadBlueprint(file, ModuleLookup.From(moduleExists), expectedRef);

    public static BlueprintSpec LoadBlueprint(string file, ModuleLookup modules, string? expectedRef = null, ContractOptions? options = null) =>
        Load(file, errors => ReadFile(file, errors), (root, errors) => BlueprintReader.Read(root, modules, expectedRef, errors),
            (bp, w) => bp with { Warnings = w }, options);

    /// <summary>Loads a BlueprintSpec from text (tests and the fuzz corpus); <paramref name="file"/> names it in diagnostics.</summary>
    public static BlueprintSpec LoadBlueprintText(string file, string text, ModuleLookup modules, string? expectedRef = null, ContractOptions? options = null) =>
        Load(file, errors => SafeYaml.LoadText(file, text, errors), (root, errors) => BlueprintReader.Read(root, modules, expectedRef, errors),
            (bp, w) => bp with { Warnings = w }, options);

    internal static void CheckHeader(YamlMap root, string kind)
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

    private static T Load<T>(string file, Func<List<Diagnostic>, YamlNode?> read, Func<YamlMap, List<Diagnostic>, T> build,
        Func<T, ImmutableArray<Diagnostic>, T> withWarnings, ContractOptions? options)
        where T : class
    {
        var errors = new List<Diagnostic>();
        var warnings = new List<Diagnostic>();
        var node = read(errors);
        T? result = null;
        if (errors.Count == 0)
        {
            if (node is YamlMappingNode map)
            {
                result = build(new YamlMap(file, map, errors, warnings), errors);
            }
            else
            {
                errors.Add(DiagnosticCatalog.InvalidField.Create("the contract must be a YAML mapping",
                    new SourceLocation(file, node is null ? 1 : (int)node.Start.Line)));
            }
        }

        if ((options ?? ContractOptions.Default).Strict)
        {
            errors.AddRange(warnings);
            warnings.Clear();
        }

        if (errors.Count > 0)
        {
            throw new HyopsException([.. errors]);
        }

        return withWarnings(result!, [.. warnings]);
    }

    private static YamlNode? ReadFile(string file, List<Diagnostic> errors)
    {
        if (!File.Exists(file))
        {
            errors.Add(DiagnosticCatalog.ContractNotFound.Create($"contract file '{file}' does not exist", new SourceLocation(file, 0)));
            return null;
        }

        return SafeYaml.LoadFile(file, errors);
    }
}
