using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Engine;

/// <summary>module_ref -> handler. Composed once in the CLI.</summary>
public sealed class HandlerRegistry(IEnumerable<IModuleHandler> handlers)
{
    private readonly Dictionary<string, IModuleHandler> byRef = handlers.ToDictionary(h => h.ModuleRef, StringComparer.Ordinal);

    public bool Has(string moduleRef) => byRef.ContainsKey(moduleRef);

    public IModuleHandler Get(string moduleRef) => byRef.TryGetValue(moduleRef, out var h)
        ? h
        : throw HyopsException.From(DiagnosticCatalog.UnknownModuleRef, $"module '{moduleRef}' has a spec but no handler in this hyops build");

    public IEnumerable<string> Refs => byRef.Keys.Order(StringComparer.Ordinal);
}
