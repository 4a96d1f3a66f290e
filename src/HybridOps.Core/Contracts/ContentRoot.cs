using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Contracts;

/// <summary>
/// The directory holding modules/ and blueprints/. Found from $HYOPS_CONTENT_ROOT or by walking up from
/// the executable's directory, so `./hyops` works from a clone without installation and the release
/// tarball's bin/hyops finds the contracts one level up (a symlink to it too: the executable's real
/// path is used).
/// </summary>
public sealed class ContentRoot(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string ModulesDir => System.IO.Path.Combine(Path, "modules");

    public string BlueprintsDir => System.IO.Path.Combine(Path, "blueprints");

    public static ContentRoot Locate(string? fromEnv)
    {
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return new ContentRoot(fromEnv);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(System.IO.Path.Combine(dir.FullName, "modules")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "blueprints")))
            {
                return new ContentRoot(dir.FullName);
            }
        }

        return new ContentRoot(Directory.GetCurrentDirectory());
    }

    public string ModuleSpecPath(string moduleRef) => System.IO.Path.Combine(ModulesDir, moduleRef, "spec.yml");

    public string BlueprintPath(string blueprintRef) => System.IO.Path.Combine(BlueprintsDir, blueprintRef, "blueprint.yml");

    public bool ModuleExists(string moduleRef) =>
        ContractLoader.ModuleRefPattern().IsMatch(moduleRef) && File.Exists(ModuleSpecPath(moduleRef));

    /// <summary>The modules this content root ships, for blueprints' module_ref checks.</summary>
    public ModuleLookup Modules => new(ModuleExists, [.. ModuleRefs()]);

    public ModuleSpec LoadModule(string moduleRef) => LoadModule(moduleRef, ContractOptions.Default);

    public ModuleSpec LoadModule(string moduleRef, ContractOptions options)
    {
        if (!ContractLoader.ModuleRefPattern().IsMatch(moduleRef) || !File.Exists(ModuleSpecPath(moduleRef)))
        {
            throw HyopsException.From(DiagnosticCatalog.UnknownModuleRef, $"unknown module ref '{moduleRef}' (no {ModuleSpecPath(moduleRef)})");
        }

        return ContractLoader.LoadModule(ModuleSpecPath(moduleRef), moduleRef, options);
    }

    public BlueprintSpec LoadBlueprint(string blueprintRef) => LoadBlueprint(blueprintRef, ContractOptions.Default);

    public BlueprintSpec LoadBlueprint(string blueprintRef, ContractOptions options)
    {
        if (!ContractLoader.BlueprintRefPattern().IsMatch(blueprintRef) || !File.Exists(BlueprintPath(blueprintRef)))
        {
            throw HyopsException.From(DiagnosticCatalog.ContractNotFound, $"unknown blueprint ref '{blueprintRef}' (no {BlueprintPath(blueprintRef)})");
        }

        return ContractLoader.LoadBlueprint(BlueprintPath(blueprintRef), Modules, blueprintRef, options);
    }

    public IEnumerable<string> ModuleRefs() => Directory.Exists(ModulesDir)
        ? Directory.EnumerateFiles(ModulesDir, "spec.yml", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(ModulesDir, System.IO.Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
        : [];

    public IEnumerable<string> BlueprintRefs() => Directory.Exists(BlueprintsDir)
        ? Directory.EnumerateFiles(BlueprintsDir, "blueprint.yml", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(BlueprintsDir, System.IO.Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
        : [];
}
