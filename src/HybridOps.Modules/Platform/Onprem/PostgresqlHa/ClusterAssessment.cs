using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa;

/// <summary>
/// Reads a Patroni cluster the way an operator would check it: the DCS view from the REST API, then
/// every member over SQL. Connectivity failures (HYO4xxx), configuration failures (HYO5xxx) and an
/// ambiguous write topology (HYO6xxx) are told apart, and each check lands in the run record.
/// <paramref name="inventory"/> is onprem-inventory/v1 shaped: cluster_name, members [{name, host,
/// pg_port, api_url}], superuser, superuser_password_env (a restore builds one for its new cluster).
/// </summary>
internal sealed class ClusterAssessment(PatroniClient patroni, ModuleContext context, JsonObject inventory)
{
    /// <summary>
    /// A cluster just restored and published at its leader: a replica whose PostgreSQL does not answer yet
    /// (Patroni is still cloning it) is reported with Patroni's state instead of failing the assessment.
    /// </summary>
    public bool ReplicasMayBeStarting { get; init; }

    private static readonly string[] WalLevels = ["minimal", "replica", "logical"];

    public async Task<JsonObject> RunAsync(CancellationToken cancellationToken)
    {
        var members = inventory.Objects("members").ToList();
        var user = context.Inputs.String("db_user") ?? inventory.Str("superuser") ?? "postgres";
        var passwordEnv = context.Inputs.String("db_password_env") ?? inventory.Str("superuser_password_env")!;
        var password = context.Secrets.Resolve(passwordEnv);
        var timeout = context.Inputs.Values.Int("connect_timeout_s") ?? 3;
        var evidence = context.Evidence;

        var apiUrls = members.Select(m => m.Str("api_url")!).ToList();
        var (cluster, apiUsed) = await patroni.GetClusterFromAnyAsync(apiUrls, cancellationToken);
        evidence.Check("patroni_api_reachable", true, new JsonObject { ["api_url"] = apiUsed, ["scope"] = cluster.Scope, ["members"] = cluster.Members.Count });
        var clusterName = inventory.Str("cluster_name");
        if (cluster.Scope is not null && clusterName is not null && cluster.Scope != clusterName)
        {
            evidence.Check("patroni_scope_matches_inventory", false, new JsonObject { ["scope"] = cluster.Scope, ["inventory"] = clusterName });
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"Patroni scope '{cluster.Scope}' is not the inventory's cluster '{clusterName}'");
        }

        var probes = await Task.WhenAll(members.Select(m => MemberProbe.RunAsync(m.Str("name")!,
            new PgEndpoint(m.Str("host")!, m.Int("pg_port")!.Value, user, password, ConnectTimeoutSeconds: timeout), cancellationToken)));
        foreach (var p in probes)
        {
            evidence.Check($"member_sql:{p.Name}", p.Reachable, new JsonObject
            {
                ["host"] = p.Host, ["port"] = p.Port, ["in_recovery"] = p.Facts?.InRecovery, ["timeline"] = p.Facts?.Timeline,
                ["system_identifier"] = p.Facts?.SystemIdentifier, ["error"] = p.Failure?.Message,
            }, p.Failure?.Code);
        }

        // Configuration failures (e.g. rejected credentials) are reported as such, not as unreachability.
        if (probes.FirstOrDefault(p => p.Failure?.ExitCode == ExitCode.ConfigurationFailure) is { } misconfigured)
        {
            throw new HyopsException(misconfigured.Failure!);
        }

        var primaries = probes.Where(p => p.Facts is { InRecovery: false }).ToList();
        evidence.Check("single_writable_member", primaries.Count == 1, new JsonObject
        {
            ["writable"] = primaries.Select(p => p.Name).ToJsonArray(),
            ["patroni_leaders"] = cluster.Leaders.Select(l => l.Name).ToJsonArray(),
        });
        if (primaries.Count > 1)
        {
            throw HyopsException.From(DiagnosticCatalog.MultipleWritable,
                $"members {string.Join(", ", primaries.Select(p => p.Name))} all accept writes (not in recovery)");
        }

        var patroniLeader = cluster.Leaders.FirstOrDefault();
        var unreachable = probes.Where(p => !p.Reachable && !(ReplicasMayBeStarting && p.Name != patroniLeader?.Name)).ToList();
        if (unreachable.Count > 0)
        {
            var leaderDown = unreachable.Any(p => p.Name == patroniLeader?.Name) ? " (including the Patroni leader)" : "";
            throw HyopsException.From(DiagnosticCatalog.PostgresUnreachable,
                $"member(s) {string.Join(", ", unreachable.Select(p => $"{p.Name} [{p.Failure!.Message}]"))} unreachable{leaderDown}");
        }

        if (primaries.Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.NoWritable, "every member is in recovery");
        }

        var leader = primaries[0];
        if (patroniLeader is null || patroniLeader.Name != leader.Name)
        {
            throw HyopsException.From(DiagnosticCatalog.LeaderMismatch,
                $"Patroni leader is '{patroniLeader?.Name ?? "none"}' but the writable member is '{leader.Name}'");
        }

        var sysIds = probes.Where(p => p.Facts is not null).Select(p => p.Facts!.SystemIdentifier).Distinct().ToList();
        evidence.Check("one_system_identifier", sysIds.Count == 1, new JsonObject { ["system_identifiers"] = sysIds.ToJsonArray() });
        if (sysIds.Count != 1)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"members report different system identifiers: {string.Join(", ", sysIds)}");
        }

        var facts = leader.Facts!;
        var minWal = context.Inputs.String("min_wal_level") ?? "replica";
        var walOk = Array.IndexOf(WalLevels, facts.WalLevel) >= Array.IndexOf(WalLevels, minWal);
        evidence.Check("wal_level", walOk, new JsonObject { ["observed"] = facts.WalLevel, ["minimum"] = minWal }, walOk ? null : DiagnosticCatalog.WalLevelTooLow.Code);
        if (!walOk)
        {
            throw HyopsException.From(DiagnosticCatalog.WalLevelTooLow, $"wal_level is '{facts.WalLevel}', at least '{minWal}' is required");
        }

        var memberList = new JsonArray();
        foreach (var p in probes)
        {
            var pm = cluster.Members.FirstOrDefault(m => m.Name == p.Name);
            memberList.Add((JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["host"] = p.Host,
                ["port"] = p.Port,
                ["role"] = p.Facts is not { InRecovery: false } ? "replica" : "leader",
                ["state"] = pm?.State ?? "unknown",
                ["timeline"] = p.Facts?.Timeline,
                ["lag"] = pm?.LagBytes,
                ["api_url"] = pm?.ApiUrl,
            });
        }

        // Every member must be in the DCS view: a replica that has not registered yet is not streaming. Patroni 3.0 says
        // "running" for a replica replaying WAL from the archive too, so streaming is what the leader's pg_stat_replication
        // (GET /patroni, "replication") reports for each replica's application_name (Patroni sets it to the member name).
        var replicaNames = probes.Where(p => p.Name != leader.Name).Select(p => p.Name).ToList();
        var streamingNames = replicaNames.Count == 0 ? [] : await StreamingFromLeaderAsync(cluster.Members.FirstOrDefault(m => m.Name == leader.Name)?.ApiUrl, cancellationToken);
        var streaming = probes.All(p => p.Reachable) && probes.All(p => cluster.Members.Any(m => m.Name == p.Name))
            && cluster.Members.Where(m => !m.IsLeader).All(m => m.State is "streaming" or "running")
            && replicaNames.All(streamingNames.Contains);
        evidence.Check("replicas_streaming_at_leader", streaming, new JsonObject
        {
            ["replicas"] = replicaNames.ToJsonArray(), ["streaming"] = streamingNames.Order(StringComparer.Ordinal).ToJsonArray(),
        });
        return new JsonObject
        {
            ["cluster_name"] = cluster.Scope ?? clusterName,
            ["members"] = memberList,
            ["leader_name"] = leader.Name,
            ["leader_host"] = leader.Host,
            ["leader_port"] = leader.Port,
            ["system_identifier"] = facts.SystemIdentifier,
            ["timeline"] = facts.Timeline,
            ["wal_level"] = facts.WalLevel,
            ["server_version_num"] = facts.ServerVersionNum,
            ["patroni_api_urls"] = apiUrls.ToJsonArray(),
            ["db_user"] = user,
            ["db_password_env"] = passwordEnv,
            ["ready"] = true,
            ["replicas_streaming"] = streaming,
            ["assessed_at"] = context.Time.GetUtcNow().ToString("O"),
        };
    }

    private async Task<HashSet<string>> StreamingFromLeaderAsync(string? leaderApiUrl, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (leaderApiUrl is null)
        {
            return names;
        }

        try
        {
            var status = await patroni.GetStatusAsync(leaderApiUrl, cancellationToken);
            foreach (var row in (status["replication"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (row.Str("state") == "streaming" && row.Str("application_name") is { } name)
                {
                    names.Add(name);
                }
            }
        }
        catch (HyopsException)
        {
            // The leader's REST API did not answer: nothing is known to stream.
        }

        return names;
    }
}
