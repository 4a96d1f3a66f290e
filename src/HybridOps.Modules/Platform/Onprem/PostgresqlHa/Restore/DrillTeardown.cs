using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// The teardown of a drill cluster (destroy with drill_teardown: true, stopped already): each member's service
/// definition and member dir go through the host's service manager and executor, then the scope's keys
/// and its owner marker leave the site's DCS. Afterwards nothing of it may be left (HYO7411 otherwise).
/// </summary>
internal sealed class DrillTeardown(ModuleContext context, IProcessRunner runner)
{
    public async Task RunAsync(IRestoreMembers members, RestoreHosts hosts, string scope, CancellationToken ct)
    {
        var left = new List<string>();
        foreach (var h in hosts.Hosts)
        {
            left.AddRange(await members.RemoveMemberAsync(h, ct));
        }

        foreach (var prefix in new[] { $"/service/{scope}/", $"/hyops/owners/{scope}" })
        {
            var del = await EtcdAsync(hosts, ct, "del", "--prefix", prefix);
            context.Evidence.Action("etcdctl del", del.Argv, del.ExitCode, del.Duration, new JsonObject { ["prefix"] = prefix, ["deleted"] = del.StdOut.Trim() });
            if (!del.Succeeded)
            {
                left.Add($"DCS prefix {prefix} (etcdctl del exited {del.ExitCode}: {del.StdErr.Trim()})");
            }
        }

        var keys = await EtcdAsync(hosts, ct, "get", "--prefix", "--keys-only", $"/service/{scope}/");
        var remaining = keys.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!keys.Succeeded || remaining.Length > 0)
        {
            left.Add(keys.Succeeded ? $"{remaining.Length} DCS key(s) under /service/{scope}/" : $"DCS unreadable: {keys.StdErr.Trim()}");
        }

        context.Evidence.Check("drill_cluster_removed", left.Count == 0, new JsonObject
        {
            ["scope"] = scope, ["hosts"] = hosts.Hosts.Select(h => $"{h.Name}={h.Host}").ToJsonArray(), ["data_root"] = hosts.DataRoot, ["left"] = left.ToJsonArray(),
        }, left.Count == 0 ? null : DiagnosticCatalog.DrillTeardownIncomplete.Code);
        if (left.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillTeardownIncomplete, $"after the teardown of '{scope}': {string.Join("; ", left)}");
        }

        context.Progress.Report($"drill cluster '{scope}' removed: {hosts.Hosts.Count} member(s), its data and its DCS scope");
    }

    private Task<ProcessResult> EtcdAsync(RestoreHosts hosts, CancellationToken ct, params string[] args) =>
        runner.RunAsync(new ProcessSpec(context.Inputs.String("etcdctl_bin") ?? "/usr/bin/etcdctl",
            [.. hosts.EtcdctlOptions, "--command-timeout=5s", .. args],
            Environment: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" }, Timeout: TimeSpan.FromSeconds(20)), ct);
}
