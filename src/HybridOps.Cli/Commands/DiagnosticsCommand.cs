using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops diagnostics`: the catalogue of HYO codes and the exit-code table.</summary>
public static class DiagnosticsCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("diagnostics", "List every diagnostic code (HYO####) with its exit code and hint, and the exit-code table");
        cmd.SetAction(parse =>
        {
            var inv = invocation(parse);
            var codes = new JsonArray(DiagnosticCatalog.All.Select(d => (JsonNode?)new JsonObject
            {
                ["code"] = d.Code, ["title"] = d.Title, ["exit_code"] = (int)d.ExitCode, ["exit_name"] = d.ExitCode.ToString(), ["hint"] = d.Hint,
            }).ToArray());
            var exits = new JsonArray(Enum.GetValues<ExitCode>().Select(e => (JsonNode?)new JsonObject { ["code"] = (int)e, ["name"] = e.ToString() }).ToArray());
            inv.Renderer.Result(new JsonObject { ["diagnostics"] = codes, ["exit_codes"] = exits }, w =>
            {
                w.WriteLine("exit codes:");
                foreach (var e in Enum.GetValues<ExitCode>())
                {
                    w.WriteLine($"  {(int)e,3}  {e}");
                }

                w.WriteLine("diagnostics:");
                foreach (var d in DiagnosticCatalog.All)
                {
                    w.WriteLine($"  {d.Code}  exit {(int)d.ExitCode,3}  {d.Title} — {d.Hint}");
                }
            });
            return 0;
        });
        return cmd;
    }
}
