using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// The read-only part of the DR source: probe every member (exactly one writable, and it is the
/// leader the cluster state names), read the replication posture and check the source databases.
/// Connectivity (exit 4), configuration (exit 5) and topology (exit 6) failures are told apart.
/// </summary>
internal sealed class SourceAssessment(HaClusterState cluster, DrSourceInputs inputs, ModuleContext context)
{
    public PgEndpoint Leader => Endpoint(cluster.LeaderHost, cluster.LeaderPort);

    public JsonArray Members { get; } = [];

    public async Task<JsonObject> TopologyAsync(CancellationToken cancellationToken)
    {
        var evidence = context.Evidence;
        evidence.Check("source_identity", true, new JsonObject
        {
            ["cluster_name"] = cluster.ClusterName, ["system_identifier"] = cluster.SystemIdentifier,
            ["leader"] = cluster.LeaderName, ["leader_host"] = cluster.LeaderHost, ["leader_port"] = cluster.LeaderPort,
        });
        var probes = await Task.WhenAll(cluster.Members.Select(async m =>
        {
            try
            {
                return (Member: m, Facts: await PgProbe.FactsAsync(Endpoint(m.Host, m.Port), cancellationToken), Failure: (Diagnostic?)null);
            }
            catch (HyopsException ex)
            {
                return (Member: m, Facts: (MemberFacts?)null, Failure: ex.Diagnostics[0]);
            }
        }));
        foreach (var p in probes)
        {
            evidence.Check($"member_reachable:{p.Member.Name}", p.Facts is not null, new JsonObject
            {
                ["host"] = p.Member.Host, ["port"] = p.Member.Port, ["in_recovery"] = p.Facts?.InRecovery,
                ["writable"] = p.Facts?.Writable, ["system_identifier"] = p.Facts?.SystemIdentifier, ["error"] = p.Failure?.Message,
            }, p.Failure?.Code);
            Members.Add((JsonNode)new JsonObject
            {
                ["name"] = p.Member.Name, ["host"] = p.Member.Host, ["port"] = p.Member.Port, ["reachable"] = p.Facts is not null,
                ["role"] = p.Facts is null ? "unknown" : p.Facts.InRecovery ? "replica" : "primary",
            });
        }

        var leader = probes.Single(p => p.Member.Name == cluster.LeaderName || p.Member.Host == cluster.LeaderHost);
        if (leader.Failure is { } failure)
        {
            if (failure.ExitCode == ExitCode.ConfigurationFailure)
            {
                throw new HyopsException(failure);
            }

            throw HyopsException.From(DiagnosticCatalog.SourceLeaderUnreachable,
                $"leader '{cluster.LeaderName}' ({cluster.LeaderHost}:{cluster.LeaderPort}) from the cluster state: {failure.Message}");
        }

        var writable = probes.Where(p => p.Facts is { InRecovery: false }).ToList();
        evidence.Check("single_writable_primary", writable.Count == 1, new JsonObject
        {
            ["writable"] = writable.Select(p => p.Member.Name).ToJsonArray(), ["expected_leader"] = cluster.LeaderName,
        }, writable.Count > 1 ? DiagnosticCatalog.SourceWriteTopologyAmbiguous.Code : null);
        if (writable.Count > 1)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceWriteTopologyAmbiguous,
                $"members {string.Join(", ", writable.Select(p => $"{p.Member.Name} ({p.Member.Host})"))} are all out of recovery");
        }

        if (writable.Count == 0 || writable[0].Member.Name != cluster.LeaderName)
        {
            throw HyopsException.From(DiagnosticCatalog.LeaderMismatch,
                $"the cluster state names '{cluster.LeaderName}' as leader but the writable member is '{(writable.Count == 0 ? "none" : writable[0].Member.Name)}'; redeploy platform/onprem/postgresql-ha");
        }

        var sysId = leader.Facts!.SystemIdentifier;
        evidence.Check("system_identifier_matches_state", sysId == cluster.SystemIdentifier, new JsonObject { ["observed"] = sysId, ["state"] = cluster.SystemIdentifier });
        if (sysId != cluster.SystemIdentifier)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"the leader's system identifier {sysId} is not the cluster state's {cluster.SystemIdentifier}");
        }

        return new JsonObject { ["wal_level"] = leader.Facts.WalLevel };
    }

    /// <summary>wal_level, slots and senders on the leader, and which of them block the chosen dr_mode.</summary>
    public async Task<JsonObject> PostureAsync(PgSession leader, CancellationToken cancellationToken)
    {
        var row = (await leader.QueryAsync("""
            select current_setting('wal_level'),
                   current_setting('max_replication_slots')::int, (select count(*)::int from pg_replication_slots),
                   current_setting('max_wal_senders')::int, (select count(*)::int from pg_stat_activity where backend_type = 'walsender')
            """, r => (Wal: r.GetString(0), MaxSlots: r.GetInt32(1), Slots: r.GetInt32(2), MaxSenders: r.GetInt32(3), Senders: r.GetInt32(4)), cancellationToken))[0];
        var logical = row.Wal == "logical";
        var capacity = row.Slots < row.MaxSlots && row.Senders < row.MaxSenders;
        var posture = new JsonObject
        {
            ["wal_level"] = row.Wal,
            ["max_replication_slots"] = row.MaxSlots,
            ["slots_used"] = row.Slots,
            ["max_wal_senders"] = row.MaxSenders,
            ["senders_used"] = row.Senders,
            ["logical_ready"] = logical && capacity,
            ["export_ready"] = true,
        };
        var evidence = context.Evidence;
        evidence.Check("wal_level_logical", logical || !inputs.Managed, new JsonObject { ["observed"] = row.Wal, ["required"] = inputs.Managed ? "logical" : "any", ["dr_mode"] = inputs.DrMode },
            logical || !inputs.Managed ? null : DiagnosticCatalog.LogicalWalLevelRequired.Code);
        if (inputs.Managed && !logical)
        {
            throw HyopsException.From(DiagnosticCatalog.LogicalWalLevelRequired, $"wal_level on leader '{cluster.LeaderName}' is '{row.Wal}'; dr_mode '{inputs.DrMode}' needs 'logical'");
        }

        evidence.Check("replication_capacity", capacity || !inputs.Managed, (JsonObject)posture.DeepClone(), capacity || !inputs.Managed ? null : DiagnosticCatalog.ReplicationCapacityExhausted.Code);
        if (inputs.Managed && !capacity)
        {
            throw HyopsException.From(DiagnosticCatalog.ReplicationCapacityExhausted,
                $"slots {row.Slots}/{row.MaxSlots}, WAL senders {row.Senders}/{row.MaxSenders} on leader '{cluster.LeaderName}'");
        }

        return posture;
    }

    public async Task DatabasesPresentAsync(PgSession leader, CancellationToken cancellationToken)
    {
        var present = await leader.QueryAsync("select datname from pg_database where datallowconn", r => r.GetString(0), cancellationToken);
        var missing = inputs.Databases.Where(d => !present.Contains(d)).ToList();
        context.Evidence.Check("source_databases_present", missing.Count == 0, new JsonObject
        {
            ["requested"] = inputs.Databases.ToJsonArray(), ["missing"] = missing.ToJsonArray(),
        }, missing.Count == 0 ? null : DiagnosticCatalog.SourceDatabaseMissing.Code);
        if (missing.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceDatabaseMissing, $"database(s) {string.Join(", ", missing)} do not exist on leader '{cluster.LeaderName}'");
        }
    }

    public PgEndpoint Endpoint(string host, int port, string database = "postgres") =>
        new(host, port, cluster.DbUser, context.Secrets.Resolve(cluster.DbPasswordEnv), database, inputs.ConnectTimeoutSeconds);
}
