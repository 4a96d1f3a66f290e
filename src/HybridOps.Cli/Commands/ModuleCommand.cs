using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Cli.Output;
using HybridOps.Core;
using HybridOps.Core.Engine;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops module deploy|status|destroy --module REF [--inputs F] [--state-instance I]` and `module list`.</summary>
public static class ModuleCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("module", "Run one module's lifecycle action");
        var module = new Option<string>("--module", "-m") { Description = "Module ref, e.g. platform/onprem/postgresql-ha", Required = true };
        var inputs = new Option<string?>("--inputs", "-i") { Description = "YAML/JSON file of input overrides (after spec defaults, before HYOPS_INPUT_* env)" };
        var instance = new Option<string?>("--state-instance", "--instance") { Description = "Named state instance (default: latest)" };

        foreach (var (verb, help) in new[]
                 {
                     ("deploy", "Apply the module and publish its state (writes `running` first, then ok|partial|error)"),
                     ("status", "Check the module live against the real systems; does not change state"),
                     ("destroy", "Retire what the module added; never purges data unless the module says so explicitly"),
                 })
        {
            var sub = new Command(verb, help) { module, inputs, instance };
            sub.SetAction((parse, ct) => RunAsync(invocation(parse), verb, parse.GetValue(module)!, parse.GetValue(inputs), parse.GetValue(instance), ct));
            cmd.Subcommands.Add(sub);
        }

        var list = new Command("list", "List module refs with a spec and a handler in this build");
        list.SetAction(parse =>
        {
            var inv = invocation(parse);
            var refs = inv.Content.ModuleRefs().ToList();
            inv.Renderer.Result(new JsonObject { ["modules"] = new JsonArray(refs.Select(r => (JsonNode?)r).ToArray()) },
                w => refs.ForEach(w.WriteLine));
            return 0;
        });
        cmd.Subcommands.Add(list);
        return cmd;
    }

    private static Task<int> RunAsync(Invocation inv, string action, string moduleRef, string? inputsFile, string? instance, CancellationToken ct) =>
        HyopsCli.Guarded(inv, async () =>
        {
            var runtime = inv.Runtime;
            var previous = action == "status" ? runtime.States.Read(moduleRef, instance) : null;
            var result = await new ModuleRunner(runtime).RunAsync(new ModuleRequest
            {
                ModuleRef = moduleRef,
                Action = action,
                Instance = instance,
                InputsFile = inputsFile,
            }, ct);
            var doc = Json.ToObject(result, CoreJsonContext.Default.ModuleRunResult);
            if (action == "status")
            {
                doc["published"] = previous is null ? null : new JsonObject { ["status"] = previous.Status, ["run_id"] = previous.RunId, ["updated_at"] = previous.UpdatedAt.ToString("O") };
            }

            inv.Renderer.Result(doc, w =>
            {
                w.WriteLine($"{result.ModuleRef}{(result.Instance is null ? "" : "#" + result.Instance)} {result.Action}: {result.Status} (exit {(int)result.ExitCode} {result.ExitCode})");
                if (action == "status")
                {
                    w.WriteLine($"  published state: {previous?.Status ?? "none"}{(previous is null ? "" : $" (run {previous.RunId})")}");
                }

                foreach (var d in result.Diagnostics)
                {
                    w.WriteLine($"  {d}");
                }

                w.WriteLine($"  run record: {result.RecordDir}");
                if (action != "status")
                {
                    w.WriteLine($"  state: {result.StatePath}");
                }

                foreach (var (k, v) in result.Outputs)
                {
                    w.WriteLine($"  {k}: {v?.ToJsonString(Json.Compact)}");
                }
            });
            return (int)result.ExitCode;
        });
}
