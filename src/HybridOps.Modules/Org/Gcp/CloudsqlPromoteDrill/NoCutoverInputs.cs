using System.Globalization;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Providers.Local;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill;

/// <summary>The no-cutover drill's inputs, checked once (HYO7415 names the input).</summary>
internal sealed record NoCutoverInputs(long MaxLagBytes, TimeSpan BarrierTimeout, bool CloneEnabled, string CloneName, TimeSpan CatchUp)
{
    public static NoCutoverInputs From(ModuleContext context, string instanceName)
    {
        var maxLag = context.Inputs.Values.Int("max_lag_bytes");
        var barrier = context.Inputs.Values.Int("barrier_timeout_s");
        var catchUp = context.Inputs.Values.Int("catch_up_s");
        var clone = context.Inputs.String("clone_name") ?? $"{instanceName}-drill";
        Require(maxLag is >= 0, $"max_lag_bytes must be a number >= 0 (got '{Shown(context, "max_lag_bytes")}')");
        Require(barrier is > 0 and <= 3600, $"barrier_timeout_s must be 1-3600 (got '{Shown(context, "barrier_timeout_s")}')");
        Require(catchUp is > 0 and <= 3600, $"catch_up_s must be 1-3600 (got '{Shown(context, "catch_up_s")}')");
        Require(LocalManagedPostgres.InstanceNamePattern().IsMatch(clone) && clone.Length <= 55,
            $"clone_name '{clone}' must be an instance name: [a-z][a-z0-9-], at most 55 characters");
        Require(clone != instanceName, $"clone_name '{clone}' is the standby's own name; the clone is a new instance");
        return new NoCutoverInputs(maxLag!.Value, TimeSpan.FromSeconds(barrier!.Value), context.Inputs.Bool("clone"), clone, TimeSpan.FromSeconds(catchUp!.Value));
    }

    private static string Shown(ModuleContext context, string key) => context.Inputs.Values[key]?.ToJsonString() ?? "(missing)";

    private static void Require(bool ok, string message)
    {
        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.NoCutoverInputInvalid, message + "; nothing was changed");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"max_lag_bytes {MaxLagBytes}, barrier {BarrierTimeout.TotalSeconds}s, clone {CloneEnabled} ({CloneName})");
}
