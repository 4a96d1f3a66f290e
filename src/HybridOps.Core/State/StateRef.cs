using System.Text.RegularExpressions;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.State;

/// <summary>A reference to published module state: `module_ref` (latest) or `module_ref#instance`.</summary>
public sealed partial record StateRef(string ModuleRef, string? Instance)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    public static partial Regex InstancePattern();

    public static StateRef Parse(string text, string inputName)
    {
        var parts = text.Split('#');
        if (parts.Length > 2 || !ContractLoader.ModuleRefPattern().IsMatch(parts[0]))
        {
            throw HyopsException.From(DiagnosticCatalog.StateRefInvalid, $"input '{inputName}': '{text}' is not a valid state reference");
        }

        if (parts.Length == 2 && !InstancePattern().IsMatch(parts[1]))
        {
            throw HyopsException.From(DiagnosticCatalog.StateRefInvalid, $"input '{inputName}': instance '{parts[1]}' in '{text}' is not a valid instance name");
        }

        return new StateRef(parts[0], parts.Length == 2 ? parts[1] : null);
    }

    public static string ValidateInstance(string instance)
    {
        if (!InstancePattern().IsMatch(instance))
        {
            throw HyopsException.From(DiagnosticCatalog.StateInstanceInvalid, $"state instance '{instance}' is not a valid instance name");
        }

        return instance;
    }

    public override string ToString() => Instance is null ? ModuleRef : $"{ModuleRef}#{Instance}";
}
