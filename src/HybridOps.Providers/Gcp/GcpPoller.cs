using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>Polls a long-running operation (or a job, or a DNS change) until it is done, within the settings' budget (HYO8007 after).</summary>
internal static class GcpPoller
{
    public static async Task<JsonObject> UntilAsync(GcpRestClient client, string what, Func<CancellationToken, Task<JsonObject>> read,
        Func<JsonObject, bool> done, CancellationToken ct, TimeSpan? budget = null)
    {
        var limit = budget ?? client.Settings.OperationBudget;
        var started = client.Time.GetTimestamp();
        while (true)
        {
            var current = await read(ct);
            if (done(current))
            {
                return current;
            }

            if (client.Time.GetElapsedTime(started) >= limit)
            {
                throw HyopsException.From(DiagnosticCatalog.GcpOperationTimeout,
                    $"{what} was not done after {limit.TotalSeconds:F0}s (last seen: {Summary(current)})");
            }

            await Task.Delay(client.Settings.PollInterval, client.Time, ct);
        }
    }

    private static string Summary(JsonObject o) =>
        string.Join(", ", new[] { "status", "state", "phase", "done" }.Where(o.ContainsKey).Select(k => $"{k} {o[k]?.ToJsonString()}"));
}
