using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// The wait of a rebuild (restore or reseed) for the Patroni members it started: polls a condition,
/// reports progress every 10 s, and fails fast when a started Patroni died, naming it and quoting the
/// end of its own log, so the failure explains itself without a second look at the host.
/// </summary>
internal static class PatroniWait
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public static async Task UntilAsync(ModuleContext context, RestoreHosts hosts, TimeSpan timeout, DiagnosticDescriptor onFailure,
        string what, Func<Task<bool>> condition, CancellationToken ct)
    {
        var start = context.Time.GetTimestamp();
        var lastReport = start;
        while (!await condition())
        {
            var registered = ProcessRegistry.Load(hosts.Registry);
            var dead = hosts.Hosts.Select(h => (Host: h, Entry: registered.FirstOrDefault(p => p.Name == $"patroni-{h.Name}")))
                .FirstOrDefault(x => x.Entry is not null && !x.Entry.IsAlive);
            var timedOut = context.Time.GetElapsedTime(start) > timeout;
            if (dead.Entry is not null || timedOut)
            {
                var log = dead.Host ?? hosts.Hosts[0];
                var tail = FileTail.Read(log.PatroniLog).Trim();
                context.Evidence.Check($"wait:{what}", false, new JsonObject
                {
                    ["dead"] = dead.Host?.Name, ["timed_out"] = timedOut, ["log"] = log.PatroniLog, ["log_tail"] = tail,
                }, onFailure.Code);
                throw HyopsException.From(onFailure,
                    $"{(dead.Entry is not null ? $"patroni {dead.Host!.Name} (pid {dead.Entry.Pid}) exited" : $"timed out after {timeout.TotalSeconds} s")} while waiting for {what}; log {log.PatroniLog}:\n{tail}");
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
