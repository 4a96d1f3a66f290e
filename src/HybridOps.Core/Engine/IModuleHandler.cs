namespace HybridOps.Core.Engine;

/// <summary>The C# code behind one module_ref. Handlers do the real work; the runner owns state and evidence.</summary>
public interface IModuleHandler
{
    string ModuleRef { get; }

    /// <summary>Module-specific input checks. Runs before the lock, before state is touched; must not do I/O to infrastructure.</summary>
    void Validate(ModuleContext context);

    Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken);
}
