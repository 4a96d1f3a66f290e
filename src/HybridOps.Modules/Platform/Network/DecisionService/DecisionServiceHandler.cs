using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Dr;
using HybridOps.Core.Drill;
using HybridOps.Core.Engine;

namespace HybridOps.Modules.Platform.Network.DecisionService;

/// <summary>
/// platform/network/decision-service: weighs the DR options (Core.Dr) in the declared situation, refuses the
/// ones not proven by a drill (HYO7301), ranks the rest, and records the decision in its run record. It never
/// runs a blueprint: the chosen option's command and inputs are outputs for the operator.
/// </summary>
public sealed class DecisionServiceHandler : IModuleHandler
{
    public const string Ref = "platform/network/decision-service";
    public const string DecisionFile = "decision.json";
    public const string InputsFile = "decision-inputs.json";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Policy(context);
        Situation(context);
        if (context.Inputs.String("require_option") is { } o && o is not (DrOption.PremiumPromote or DrOption.RestoreRepo1 or DrOption.RestoreRepo2))
        {
            throw HyopsException.From(DiagnosticCatalog.DrInputInvalid, $"require_option '{o}' is not one of {DrOption.PremiumPromote}, {DrOption.RestoreRepo1}, {DrOption.RestoreRepo2}");
        }
    }

    public Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var policy = Policy(context);
        var situation = Situation(context);
        var now = context.Time.GetUtcNow();
        var root = context.States.RuntimeRoot;
        var reports = DrillHistory.Reports(root).Reports;
        var options = DrOptionCatalog.Standard(context.States, repo2: context.Inputs.String("repo2_state_ref"))
            .Where(o => context.Inputs.String("require_option") is not { } only || o.Id == only)
            .Select(o => DrEvaluator.Evaluate(o, DrStateFacts.Read(context.States, o), reports, policy, now))
            .ToList();
        var decision = DrDecider.Decide(options, situation, policy, now);
        foreach (var c in decision.Candidates)
        {
            context.Evidence.Check($"option_{c.Status.Option.Id}", c.Eligible, new JsonObject
            {
                ["reasons"] = new JsonArray([.. c.Reasons.Select(r => (JsonNode?)r)]),
                ["last_drill"] = c.Status.LastDrill is { } d ? $"{d.RunId} {d.Status} {d.StartedAt:O}" : null,
                ["forecast_rto_s"] = c.Status.Forecast.RtoSeconds,
                ["forecast_rpo_s"] = c.Status.Forecast.RpoSeconds,
                ["score"] = c.Score?.Total,
            }, c.NotProven ? DiagnosticCatalog.DrOptionNotProven.Code : null);
        }

        var document = Json.ToObject(decision, CoreJsonContext.Default.DrDecision);
        var sha = Json.Hash(document);
        context.Evidence.Append("decision", new JsonObject { ["chosen"] = decision.Chosen, ["sha256"] = sha, ["explanation"] = decision.Explanation });
        context.Evidence.WriteDocument(DecisionFile, document);
        if (decision.Chosen is null)
        {
            var required = decision.Candidates.Length == 1 && decision.Candidates[0].NotProven;
            throw HyopsException.From(required ? DiagnosticCatalog.DrOptionNotProven : DiagnosticCatalog.DrNoEligibleOption, decision.Explanation);
        }

        context.Evidence.WriteDocument(InputsFile, decision.Inputs!.DeepClone());
        var working = Path.Combine(root, "decisions", context.RunId, InputsFile);
        Directory.CreateDirectory(Path.GetDirectoryName(working)!);
        File.WriteAllText(working, decision.Inputs!.ToJsonString(Json.Options));
        var command = $"hyops --root {root} blueprint deploy --ref {decision.BlueprintRef} --inputs {working}";
        context.Progress.Report($"decision: {decision.Explanation}");
        context.Progress.Report($"run (after typing {string.Join(", ", decision.Confirmations.Select(c => $"{c.Step}.{c.Input} = {c.Value}"))} into {working}): {command}");
        return Task.FromResult(ModuleOutcome.Ok(new JsonObject
        {
            ["chosen_option"] = decision.Chosen,
            ["blueprint_ref"] = decision.BlueprintRef,
            ["command"] = command,
            ["inputs"] = decision.Inputs!.DeepClone(),
            ["inputs_file"] = working,
            ["confirmations"] = new JsonArray([.. decision.Confirmations.Select(c => (JsonNode?)new JsonObject { ["step"] = c.Step, ["input"] = c.Input, ["value"] = c.Value, ["what"] = c.What })]),
            ["ranking"] = new JsonArray([.. decision.Candidates.Where(c => c.Rank is not null).OrderBy(c => c.Rank)
                .Select(c => (JsonNode?)new JsonObject { ["option"] = c.Status.Option.Id, ["rank"] = c.Rank, ["score"] = c.Score!.Total })]),
            ["refused"] = new JsonArray([.. decision.Candidates.Where(c => !c.Eligible)
                .Select(c => (JsonNode?)new JsonObject { ["option"] = c.Status.Option.Id, ["not_proven"] = c.NotProven, ["reasons"] = string.Join(", ", c.Reasons) })]),
            ["decided_at"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["decision_record"] = Path.Combine(context.Evidence.Directory, DecisionFile),
            ["decision_sha256"] = sha,
        }));
    }

    private static DrPolicy Policy(ModuleContext context) => new DrPolicy
    {
        MaxDrillAge = TimeSpan.FromDays(Number(context, "max_drill_age_days") is { } d && d < 36500 ? d : -1),
        RtoObjectiveSeconds = Number(context, "rto_objective_s") ?? -1,
        RpoObjectiveSeconds = Number(context, "rpo_objective_s") ?? -1,
        RtoWeight = Number(context, "rto_weight") ?? -1,
        RpoWeight = Number(context, "rpo_weight") ?? -1,
        CostWeight = Number(context, "cost_weight") ?? -1,
    }.Validated();

    private static DrSituation Situation(ModuleContext context)
    {
        var v = context.Inputs.Values;
        var repos = v["unreachable_repositories"] switch
        {
            null => [],
            JsonArray a when a.All(x => x is JsonValue j && j.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToImmutableArray(),
            _ => throw HyopsException.From(DiagnosticCatalog.DrInputInvalid, "unreachable_repositories must be a list of object-repo state refs"),
        };
        return new DrSituation(Flag(context, "onprem_reachable"), Flag(context, "dr_site_reachable"), Flag(context, "managed_reachable"), repos);
    }

    private static bool Flag(ModuleContext context, string key) =>
        context.Inputs.Values[key] is JsonValue v && v.TryGetValue<bool>(out var b)
            ? b
            : throw HyopsException.From(DiagnosticCatalog.DrInputInvalid, $"{key} must be true or false");

    private static double? Number(ModuleContext context, string key) =>
        context.Inputs.Values[key] is JsonValue v && double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x : null;
}
