using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// Where the local provider lives, from state: data root = &lt;lab_dir&gt;/sites/managed (lab_dir from the
/// inventory contract, else the runtime root's recorded lab), address prefix = the on-prem members'
/// prefix with the third octet + 2. Explicit inputs win. Pure (reads state and one small file).
/// </summary>
internal static class ManagedSite
{
    public const string SiteName = "managed";

    public static ProviderLocation Resolve(ModuleContext context)
    {
        var provider = context.Inputs.String("provider") ?? "local";
        var inventory = context.Inputs.State("inventory_state_ref")?.Outputs;
        var labDir = inventory.Str("lab_dir") ?? RecordedLabDir(context);
        var dataRoot = context.Inputs.String("data_root") ?? (labDir is null ? null : Path.Combine(labDir, "sites", SiteName));
        var prefix = context.Inputs.String("address_prefix") ?? ManagedPrefix(inventory);
        if (provider == "local" && (dataRoot is null || !Path.IsPathFullyQualified(dataRoot)))
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired,
                "input 'data_root' is required: the inventory publishes no lab_dir and no embedded lab is recorded for this runtime root");
        }

        if (provider == "local" && prefix is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'address_prefix' is required: the inventory names no member host to derive the managed site from");
        }

        return new ProviderLocation(provider, dataRoot ?? "", prefix ?? "");
    }

    /// <summary>127.0.91.11 -> 127.0.93 (the managed site is the on-prem prefix with the third octet + 2).</summary>
    public static string? ManagedPrefix(JsonObject? inventory)
    {
        var host = inventory.Objects("members").Select(m => m.Str("host")).FirstOrDefault(h => h is not null);
        var parts = host?.Split('.');
        if (parts is not { Length: 4 } || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var third) || third > 253)
        {
            return null;
        }

        return $"{parts[0]}.{parts[1]}.{(third + 2).ToString(CultureInfo.InvariantCulture)}";
    }

    private static string? RecordedLabDir(ModuleContext context)
    {
        // LAB-SPECIFIC fallback: <runtime root>/lab/lab-ref.json is written by `hyops lab up`.
        var root = Path.GetFullPath(Path.Combine(context.States.ModulesDir, "..", ".."));
        var refFile = Path.Combine(root, "lab", "lab-ref.json");
        return File.Exists(refFile) ? JsonNode.Parse(File.ReadAllText(refFile)).Str("lab_dir") : null;
    }
}
