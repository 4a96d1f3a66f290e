using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>
/// Where a member's PGDATA and socket dir are and which directory the module owns. Explicit inputs
/// win, then a restored cluster's data_root, then the member's layout in the site inventory; the work
/// dir is the input or &lt;work_root&gt;/pgbackrest-&lt;stanza&gt; from the site inventory.
/// </summary>
internal sealed class BackupTargets(ModuleContext context)
{
    public string DataDir(string member) => Resolve("members_data_dirs", member, "data");

    public string SocketDir(string member) => Resolve("members_socket_dirs", member, "run");

    public string WorkDir(string stanza)
    {
        if (context.Inputs.String("work_dir") is { } explicitDir)
        {
            return Path.GetFullPath(explicitDir);
        }

        var root = SitePaths.WorkRoot(SitePaths.Inventory(context)) ?? throw HyopsException.From(DiagnosticCatalog.InputRequired,
            "input 'work_dir' is required (the site inventory publishes no work_root to place it under)");
        return Path.Combine(root, $"pgbackrest-{stanza}");
    }

    private string Resolve(string input, string member, string leaf)
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

        // The site inventory publishes each member's layout (Debian's by default).
        return SitePaths.MemberLayout(SitePaths.Inventory(context), member, leaf == "data" ? "data_dir" : "socket_dir")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired,
                $"input '{input}' has no entry for member '{member}' and the site inventory publishes no layout for it");
    }
}
