using System.Text.Json.Nodes;
using HybridOps.Core.Engine;

namespace HybridOps.Modules.Common;

/// <summary>
/// LAB-SPECIFIC: the embedded lab's directory, from the inventory state (lab_dir) or else from
/// &lt;runtime root&gt;/lab/lab-ref.json, which `hyops lab up` writes. Null outside the lab.
/// </summary>
internal static class LabDirectory
{
    public static string? Find(ModuleContext context, JsonObject? inventory)
    {
        if (inventory.Str("lab_dir") is { } fromState)
        {
            return fromState;
        }

        var root = Path.GetFullPath(Path.Combine(context.States.ModulesDir, "..", ".."));
        var refFile = Path.Combine(root, "lab", "lab-ref.json");
        return File.Exists(refFile) ? JsonNode.Parse(File.ReadAllText(refFile)).Str("lab_dir") : null;
    }
}
