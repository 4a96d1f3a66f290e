using System.Text.Json.Nodes;
using HybridOps.Core.Engine;

namespace HybridOps.Modules.Common;

/// <summary>
/// For modules that publish a declared, already-validated contract (an inventory, an authority's
/// coordinates): deploy/status publish the inputs named in outputs.publish, destroy retires them.
/// </summary>
internal static class DeclaredContract
{
    public static Task<ModuleOutcome> RunAsync(ModuleContext context, string checkName, Func<JsonObject, JsonObject> observed)
    {
        if (context.Action == "destroy")
        {
            return Task.FromResult(ModuleOutcome.Destroyed());
        }

        var outputs = new JsonObject();
        foreach (var key in context.Spec.OutputsPublish)
        {
            outputs[key] = context.Inputs.Values[key]?.DeepClone();
        }

        context.Evidence.Check(checkName, true, observed(outputs));
        return Task.FromResult(ModuleOutcome.Ok(outputs));
    }
}
