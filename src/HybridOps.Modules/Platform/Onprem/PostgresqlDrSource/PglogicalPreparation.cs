using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// consumer_provider gcp with prepare_pglogical_confirm = the cluster name: sets through Patroni what
/// Database Migration Service needs and hyops can set (shared_preload_libraries + pglogical, wal_level
/// logical, max_replication_slots / max_wal_senders / max_worker_processes raised to the need), restarts
/// the members that report a pending restart (replicas first, the leader last; Patroni does not fail
/// over for a restart), then creates the pglogical extension in every source database. What it cannot
/// do (the package missing on a member) is named before anything changes (HYO8011). The check that
/// follows (<see cref="PglogicalPrerequisites"/>) proves the result.
/// </summary>
internal sealed class PglogicalPreparation(HaClusterState cluster, DrSourceInputs inputs, SourceAssessment assessment, PatroniClient patroni, ModuleContext context)
{
    private static readonly TimeSpan RestartBudget = TimeSpan.FromSeconds(90);

    public async Task<JsonObject> RunAsync(CancellationToken ct)
    {
        PglogicalPrerequisites.Facts facts;
        await using (var leader = await PgSession.OpenAsync(assessment.Leader, ct))
        {
            facts = await PglogicalPrerequisites.ReadAsync(leader, inputs.Databases.Length, ct);
        }

        // The package is the one thing Patroni cannot set: every member must offer the extension.
        var lacking = new List<string>();
        foreach (var m in cluster.Members)
        {
            await using var member = await PgSession.OpenAsync(assessment.Endpoint(m.Host, m.Port), ct);
            if (await member.ScalarAsync<long>("select count(*) from pg_available_extensions where name = 'pglogical'", ct) == 0)
            {
                lacking.Add(m.Name);
            }
        }

        if (lacking.Count > 0)
        {
            context.Evidence.Check("pglogical_package_on_every_member", false, new JsonObject { ["members_without_pglogical"] = lacking.ToJsonArray() },
                DiagnosticCatalog.PglogicalPrerequisitesMissing.Code);
            throw HyopsException.From(DiagnosticCatalog.PglogicalPrerequisitesMissing,
                $"cannot prepare pglogical: the extension is not installed on {string.Join(", ", lacking)} (install postgresql-15-pglogical there; hyops does not install packages); nothing was changed");
        }

        var parameters = Parameters(facts);
        var prepared = new JsonObject { ["parameters_set"] = parameters.DeepClone(), ["members_restarted"] = new JsonArray() };
        if (parameters.Count > 0)
        {
            var (_, api) = await patroni.GetClusterFromAnyAsync(cluster.ApiUrls, ct);
            await patroni.PatchConfigAsync(api, new JsonObject { ["postgresql"] = new JsonObject { ["parameters"] = parameters.DeepClone() } }, ct);
            context.Evidence.Action("patroni_patch_config_parameters", ["PATCH", $"{api}/config"], 0, TimeSpan.Zero, new JsonObject { ["parameters"] = parameters.DeepClone() });
            prepared["members_restarted"] = await RestartPendingAsync(ct);
        }

        var extensions = new JsonArray();
        foreach (var db in inputs.Databases)
        {
            await using var leader = await PgSession.OpenAsync(assessment.Endpoint(cluster.LeaderHost, cluster.LeaderPort, db), ct);
            await leader.ScalarAsync<int>("create extension if not exists pglogical; select 1", ct);
            extensions.Add((JsonNode)db);
        }

        prepared["extension_created_in"] = extensions;
        context.Evidence.Check("pglogical_prepared", true, prepared.DeepClone().AsObject());
        return prepared;
    }

    private static JsonObject Parameters(PglogicalPrerequisites.Facts f)
    {
        var p = new JsonObject();
        if (!f.Preloaded)
        {
            p["shared_preload_libraries"] = string.Join(",", f.Preload.Split(',').Select(x => x.Trim()).Where(x => x.Length > 0).Append("pglogical"));
        }

        if (f.WalLevel != "logical")
        {
            p["wal_level"] = "logical";
        }

        if (f.Slots < f.NeedSlots)
        {
            p["max_replication_slots"] = f.NeedSlots;
        }

        if (f.Senders < f.NeedSlots)
        {
            p["max_wal_senders"] = f.NeedSlots;
        }

        if (f.Workers < f.NeedWorkers)
        {
            p["max_worker_processes"] = f.NeedWorkers;
        }

        return p;
    }

    /// <summary>Waits until Patroni marks each member pending_restart, restarts it (replicas, then the leader) and waits until it runs without one.</summary>
    private async Task<JsonArray> RestartPendingAsync(CancellationToken ct)
    {
        var restarted = new JsonArray();
        var ordered = cluster.Members.OrderBy(m => m.Name == cluster.LeaderName ? 1 : 0).ThenBy(m => m.Name, StringComparer.Ordinal).Where(m => m.ApiUrl is not null);
        foreach (var m in ordered)
        {
            var started = context.Time.GetTimestamp();
            if (!await WaitAsync(m.ApiUrl!, s => s["pending_restart"]?.GetValue<bool>() == true, TimeSpan.FromSeconds(30), ct))
            {
                context.Evidence.Note($"member {m.Name}: Patroni reports no pending restart; not restarted");
                continue;
            }

            try
            {
                await patroni.RestartAsync(m.ApiUrl!, ct);
            }
            catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
            {
                // The restart may outlast the client timeout; the wait below decides.
                context.Evidence.Note($"member {m.Name}: POST /restart did not answer in time ({ex.Diagnostics[0].Message}); waiting for the member");
            }

            var running = await WaitAsync(m.ApiUrl!, s => s.Str("state") == "running" && s["pending_restart"]?.GetValue<bool>() != true, RestartBudget, ct);
            context.Evidence.Action("patroni_restart", ["POST", $"{m.ApiUrl}/restart"], running ? 0 : 1, context.Time.GetElapsedTime(started), new JsonObject { ["member"] = m.Name });
            if (!running)
            {
                throw HyopsException.From(DiagnosticCatalog.PglogicalPrerequisitesMissing,
                    $"member {m.Name} did not come back running without a pending restart within {RestartBudget.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s after the pglogical parameters were set; inspect its Patroni log");
            }

            restarted.Add((JsonNode)m.Name);
        }

        return restarted;
    }

    private async Task<bool> WaitAsync(string api, Func<JsonObject, bool> done, TimeSpan budget, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        while (true)
        {
            try
            {
                if (done(await patroni.GetStatusAsync(api, ct)))
                {
                    return true;
                }
            }
            catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
            {
                // A member's API can be briefly busy while its server restarts.
            }

            if (context.Time.GetElapsedTime(started) >= budget)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), context.Time, ct);
        }
    }
}
