using HybridOps.Core.Evidence;

namespace HybridOps.Providers.Gcp;

/// <summary>Writes the API calls made so far into a run record as actions ("gcp sqladmin POST"), then forgets them.</summary>
public static class GcpEvidence
{
    public static void Record(RunRecord evidence, GcpApis apis)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(apis);
        foreach (var call in apis.Calls.ToList())
        {
            var detail = call.ToJson();
            evidence.Action($"gcp {call.Api} {call.Method}", [call.Method, call.Path], call.Status is >= 200 and < 300 ? 0 : call.Status, call.Duration, detail);
        }

        apis.ClearCalls();
    }
}
