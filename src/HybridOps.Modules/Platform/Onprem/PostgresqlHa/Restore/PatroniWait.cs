using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// The wait of a rebuild (restore or reseed) for the Patroni members it started: polls a condition,
/// reports progress every 10 s, and fails fast when a started Patroni died, naming it and quoting the
/// end of its own log, so the failure explains itself without a second look at the host.
/// </summary>
internal static class PatroniWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public static async Task UntilAsync(ModuleContext context, IRestoreMembers members, IReadOnlyList<RestoreHost> started, TimeSpan timeout, DiagnosticDescriptor onFailure,
        string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        var start = context.Time.GetTimestamp();
        var lastReport = start;
        while (!await condition())
        {
            var dead = await members.DeadPatroniAsync(started, ct);
            var timedOut = context.Time.GetElapsedTime(start) > timeout;
            if (dead is not null || timedOut)
            {
                var log = (dead is null ? null : started.FirstOrDefault(h => dead.StartsWith($"patroni {h.Name} ", StringComparison.Ordinal))) ?? started[0];
                var tail = await members.PatroniLogTailAsync(log, ct);
                context.Evidence.Check($"wait:{what}", false, new JsonObject
                {
                    ["dead"] = dead, ["timed_out"] = timedOut, ["host"] = log.Name, ["log"] = log.PatroniLog, ["log_tail"] = tail,
                }, onFailure.Code);
                throw HyopsException.From(onFailure,
                    $"{(dead is not null ? $"{dead} exited" : $"timed out after {timeout.TotalSeconds} s")} while waiting for {what}; log {log.PatroniLog} on {log.Name}:\n{tail}");
            }

            if (context.Time.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                lastReport = context.Time.GetTimestamp();
                context.Progress.Report($"waiting for {what} ({context.Time.GetElapsedTime(start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s)");
            }

            await Task.Delay(Poll, context.Time, ct);
        }

        context.Evidence.Check($"wait:{what}", true, new JsonObject { ["waited_s"] = Math.Round(context.Time.GetElapsedTime(start).TotalSeconds, 1) });
    }
}
