using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>
/// Where a member's PGDATA and socket dir are and which directory the module owns. Explicit inputs
/// win, then a restored cluster's data_root, then the member's layout in the site inventory; the embedded lab layout (read from &lt;runtime root&gt;/lab/lab-ref.json) is a LAB-ONLY fallback,
/// because the site inventory contract (onprem-inventory/v1) does not carry filesystem paths.
/// </summary>
internal sealed class BackupTargets(ModuleContext context)
{
    private readonly Lazy<string?> labDir = new(() => ReadLabDir(context));

    public string DataDir(string member) => Resolve("members_data_dirs", member, "data", lab => Path.Combine(lab, member, "data"));

    public string SocketDir(string member) => Resolve("members_socket_dirs", member, "run", lab => Path.Combine(lab, member, "run"));

    public string WorkDir(string stanza)
    {
        if (context.Inputs.String("work_dir") is { } explicitDir)
        {
            return Path.GetFullPath(explicitDir);
        }

        var lab = labDir.Value ?? throw HyopsException.From(DiagnosticCatalog.InputRequired,
            "input 'work_dir' is required (no embedded lab is recorded for this runtime root to fall back to)");
        context.Evidence.Note($"work_dir: lab-specific fallback under the embedded lab dir {lab}");
        return Path.Combine(lab, $"pgbackrest-{stanza}");
    }

    private string Resolve(string input, string member, string leaf, Func<string, string> fromLab)
    {
        if (context.Inputs.Values[input] is JsonObject map && map.Str(member) is { } dir)
        {
            return dir;
        }

        // A cluster hyops restored publishes its data_root: <data_root>/<member>/{data,run}.
        if (context.Inputs.State("cluster_state_ref")?.Outputs.Str("data_root") is { } dataRoot)
        {
            return Path.Combine(dataRoot, member, leaf);
        }

        // The site inventory publishes each member's layout (Debian's by default, the lab's own for the loopback lab).
        var layoutKey = leaf == "data" ? "data_dir" : "socket_dir";
        if (context.Inputs.State("inventory_state_ref")?.Outputs.Objects("members").FirstOrDefault(m => m.Str("name") == member)?["postgres"] is JsonObject layout
            && layout.Str(layoutKey) is { } fromInventory)
        {
            return fromInventory;
        }

        var lab = labDir.Value ?? throw HyopsException.From(DiagnosticCatalog.InputRequired,
            $"input '{input}' has no entry for member '{member}' (and no embedded lab is recorded for this runtime root to fall back to)");
        var path = fromLab(lab);
        context.Evidence.Note($"{input}[{member}]: lab-specific fallback {path} (embedded lab layout)");
        return path;
    }

    private static string? ReadLabDir(ModuleContext context)
    {
        // LAB-SPECIFIC: <runtime root>/lab/lab-ref.json is written by `hyops lab up`.
        var root = Path.GetFullPath(Path.Combine(context.States.ModulesDir, "..", ".."));
        var refFile = Path.Combine(root, "lab", "lab-ref.json");
        return File.Exists(refFile) ? JsonNode.Parse(File.ReadAllText(refFile)).Str("lab_dir") : null;
    }
}
