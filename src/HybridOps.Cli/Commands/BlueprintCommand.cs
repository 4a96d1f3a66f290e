using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Cli.Output;
using HybridOps.Core;
using HybridOps.Core.Contracts;
using HybridOps.Core.Engine;
using HybridOps.Core.Inputs;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops blueprint validate|plan|deploy|status|drill|drill-report --ref REF [--inputs F]` and `blueprint list`.</summary>
public static class BlueprintCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("blueprint", "Validate, plan, run and inspect blueprints (ordered DAGs of module steps)");
        var bpRef = new Option<string>("--ref", "-r") { Description = "Blueprint ref, e.g. dr/postgresql-ha-failover-gcp@v1", Required = true };
        var inputs = new Option<string?>("--inputs", "-i") { Description = "YAML file mapping step id -> input overrides" };

        var strict = new Option<bool>("--strict") { Description = "Unknown and ignored contract fields are errors, not warnings (use in CI)" };

        var validate = new Command("validate", "Check the blueprint, every step's module spec and every step's inputs; touches nothing") { bpRef, inputs, strict };
        validate.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var options = new ContractOptions(parse.GetValue(strict));
            var bp = inv.Content.LoadBlueprint(parse.GetValue(bpRef)!, options);
            var specs = bp.Steps.Where(s => !s.ProvidedOutside).Select(s => s.ModuleRef).Distinct(StringComparer.Ordinal)
                .ToDictionary(r => r, r => inv.Content.LoadModule(r, options), StringComparer.Ordinal);
            var check = BlueprintCheck.Run(bp, r => specs[r], Overrides(parse.GetValue(inputs)));
            check.ThrowIfErrors();
            var warnings = bp.Warnings.AddRange(specs.Values.SelectMany(s => s.Warnings)).AddRange(check.Warnings);
            inv.Renderer.Warnings(warnings);
            inv.Renderer.Result(new JsonObject
            {
                ["status"] = "valid",
                ["blueprint_ref"] = bp.BlueprintRef,
                ["steps"] = bp.Steps.Length,
                ["warnings"] = Renderer.DiagnosticsJson(warnings),
                ["guards"] = GuardsJson(check.Guards),
            }, w =>
            {
                w.WriteLine($"{bp.BlueprintRef}: valid ({bp.Steps.Length} steps{(warnings.IsEmpty ? "" : $", {warnings.Length} warnings")})");
                foreach (var step in bp.Steps.Where(s => !check.Guards[s.Id].IsEmpty))
                {
                    w.WriteLine($"  {step.Id}: deploy asks for {string.Join("; ", check.Guards[step.Id].Select(g => $"{g.Input} ({g.Requirement})"))}");
                }
            });
            return Task.FromResult(0);
        }));

        var plan = new Command("plan", "Show the ordered steps, which would run or be skipped, and the guards each asks for; touches nothing") { bpRef, inputs, strict };
        plan.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var options = new ContractOptions(parse.GetValue(strict));
            var bp = inv.Content.LoadBlueprint(parse.GetValue(bpRef)!, options);
            var specWarnings = bp.Steps.Where(s => !s.ProvidedOutside).Select(s => s.ModuleRef).Distinct(StringComparer.Ordinal)
                .SelectMany(r => inv.Content.LoadModule(r, options).Warnings);
            var engine = new BlueprintEngine(inv.Runtime);
            var overrides = Overrides(parse.GetValue(inputs));
            var steps = engine.Plan(bp, overrides);
            var warnings = bp.Warnings.AddRange(specWarnings).AddRange(engine.Check(bp, overrides).Warnings);
            inv.Renderer.Warnings(warnings);
            inv.Renderer.Result(new JsonObject
            {
                ["blueprint_ref"] = bp.BlueprintRef,
                ["steps"] = Json.ToArray(steps, CoreJsonContext.Default.ImmutableArrayPlannedStep),
                ["warnings"] = Renderer.DiagnosticsJson(warnings),
            }, w =>
            {
                w.WriteLine($"{bp.BlueprintRef}: {steps.Length} steps");
                var n = 0;
                foreach (var s in steps)
                {
                    w.WriteLine($"  {++n}. {s.Id,-28} {s.Decision,-7} {s.Action} {s.ModuleRef}{(s.Instance is null ? "" : "#" + s.Instance)}  (state: {s.CurrentStatus ?? "none"}{(s.Requires.IsEmpty ? "" : $"; after {string.Join(", ", s.Requires)}")})");
                    foreach (var g in s.Guards)
                    {
                        w.WriteLine($"       guard {g.Input}: {g.Requirement} ({(g.Satisfied ? "given" : "to give at deploy")})");
                    }
                }
            });
            return Task.FromResult(0);
        }));

        var deploy = new Command("deploy", "Run the blueprint's steps in order (fail-fast), with a blueprint-level run record") { bpRef, inputs };
        deploy.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), async () =>
        {
            var inv = invocation(parse);
            var bp = inv.Content.LoadBlueprint(parse.GetValue(bpRef)!);
            var result = await new BlueprintEngine(inv.Runtime).DeployAsync(bp, Overrides(parse.GetValue(inputs)), ct);
            inv.Renderer.Result(Json.ToObject(result, CoreJsonContext.Default.BlueprintRunResult), w =>
            {
                w.WriteLine($"{result.BlueprintRef} deploy: {result.Status} (exit {(int)result.ExitCode} {result.ExitCode}, run {result.RunId})");
                foreach (var s in result.Steps)
                {
                    w.WriteLine($"  {s.Id,-28} {s.Status,-9} {s.DurationMs,8:F0} ms  {s.Reason}");
                }

                w.WriteLine($"  run record: {result.RecordDir}");
            });
            return (int)result.ExitCode;
        }));

        var status = new Command("status", "Show the blueprint's last run and the state of each step's module") { bpRef };
        status.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var bp = inv.Content.LoadBlueprint(parse.GetValue(bpRef)!);
            var last = new BlueprintEngine(inv.Runtime).ReadState(bp);
            var steps = new JsonArray(bp.Steps.Select(s =>
            {
                var st = inv.Runtime.States.Read(s.ModuleRef, s.StateInstance);
                return (JsonNode?)new JsonObject { ["id"] = s.Id, ["module_ref"] = s.ModuleRef, ["instance"] = s.StateInstance, ["state"] = st?.Status, ["run_id"] = st?.RunId };
            }).ToArray());
            inv.Renderer.Result(new JsonObject { ["blueprint_ref"] = bp.BlueprintRef, ["last_run"] = last?.DeepClone(), ["steps"] = steps }, w =>
            {
                w.WriteLine($"{bp.BlueprintRef}: last run {last?["status"] ?? "never"}{(last is null ? "" : $" ({last["run_id"]})")}");
                foreach (var s in steps.OfType<JsonObject>())
                {
                    w.WriteLine($"  {s["id"],-28} state {s["state"] ?? "none"}");
                }
            });
            return Task.FromResult(last?["exit_code"]?.GetValue<int>() ?? 0);
        }));

        var list = new Command("list", "List blueprint refs");
        list.SetAction(parse =>
        {
            var inv = invocation(parse);
            var refs = inv.Content.BlueprintRefs().ToList();
            inv.Renderer.Result(new JsonObject { ["blueprints"] = new JsonArray(refs.Select(r => (JsonNode?)r).ToArray()) }, w => refs.ForEach(w.WriteLine));
            return 0;
        });

        foreach (var c in new[] { validate, plan, deploy, status, list }.Concat(BlueprintDrillCommand.Build(invocation)))
        {
            cmd.Subcommands.Add(c);
        }

        return cmd;
    }

    private static JsonObject GuardsJson(IReadOnlyDictionary<string, System.Collections.Immutable.ImmutableArray<GuardDemand>> guards) =>
        new(guards.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)new JsonArray(
            g.Value.Select(d => (JsonNode?)new JsonObject { ["input"] = d.Input, ["requirement"] = d.Requirement, ["satisfied"] = d.Satisfied }).ToArray()))));

    private static JsonObject? Overrides(string? file) => file is null ? null : InputResolver.ReadFile(file);
}
