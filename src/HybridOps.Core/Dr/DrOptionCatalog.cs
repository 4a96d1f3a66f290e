using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.State;

namespace HybridOps.Core.Dr;

/// <summary>
/// The DR options this build knows: premium promote (the managed standby), restore from repo1, and restore
/// from repo2 when a second repository is declared. Confirmation values come from state where it names them.
/// </summary>
public static class DrOptionCatalog
{
    public const string PromoteBlueprint = "dr/postgresql-cloudsql-promote-gcp@v1";
    public const string FailoverBlueprint = "dr/postgresql-ha-failover-gcp@v1";
    public const string Repo1StateRef = "org/gcp/object-repo";
    public const string BackupStateRef = "platform/onprem/postgresql-ha-backup";
    public const string OnpremClusterRef = "platform/onprem/postgresql-ha";
    public const string ManagedInstanceRef = "org/gcp/cloudsql-postgresql";
    public const string ReplicaRef = "org/gcp/cloudsql-external-replica";
    public const string DnsRoutingRef = "platform/network/dns-routing";
    public const string DrClusterName = "gcp-dr-pg";

    /// <summary>The failover blueprint's steps that name the repository: a restore from another repository overrides all of them.</summary>
    public static readonly ImmutableArray<string> RepoSteps = ["drain_archive", "restore_dr", "dr_readiness", "dr_backup_config", "dr_backup_full", "dr_protected"];

    /// <summary>The second repositories looked for when none is named: the first whose state exists.</summary>
    public static readonly ImmutableArray<string> Repo2Candidates = ["org/azure/object-repo", "org/aws/object-repo", "org/gcp/object-repo#repo2"];

    /// <summary>
    /// The options. The repositories are the backup state's own (its `repositories` list: repo1, then repo2) unless
    /// named; without that list, repo1 is org/gcp/object-repo and repo2 the first of <see cref="Repo2Candidates"/> with state.
    /// </summary>
    public static ImmutableArray<DrOption> Standard(StateStore states, string? repo1 = null, string? repo2 = null)
    {
        ArgumentNullException.ThrowIfNull(states);
        var declared = DeclaredRepositories(states);
        repo1 ??= declared.GetValueOrDefault(1) ?? Repo1StateRef;
        repo2 ??= declared.GetValueOrDefault(2);
        var onprem = Output(states, OnpremClusterRef, "cluster_name") ?? "<on-prem cluster name>";
        var instance = Output(states, ManagedInstanceRef, "instance_name") ?? "<managed instance name>";
        var fqdn = Output(states, DnsRoutingRef, "fqdn") ?? "db.hyops.lab.";
        repo2 ??= Repo2Candidates.FirstOrDefault(r => Read(states, r) is not null);
        var options = ImmutableArray.CreateBuilder<DrOption>();
        options.Add(new DrOption
        {
            Id = DrOption.PremiumPromote,
            Title = "promote the managed standby (premium)",
            Kind = "promote",
            BlueprintRef = PromoteBlueprint,
            Site = "managed",
            CostHint = 3,
            Confirmations =
            [
                new("fence_onprem", "fence_confirm", onprem, "the on-prem cluster to fence"),
                new("promote", "promote_confirm", instance, "the managed instance to promote"),
                new("publish_endpoint", "publish_confirm", fqdn, "the service record to repoint"),
            ],
        });
        options.Add(Restore(DrOption.RestoreRepo1, repo1, onprem, claimsUnsourced: repo1 == Repo1StateRef));
        if (repo2 is not null)
        {
            options.Add(Restore(DrOption.RestoreRepo2, repo2, onprem, claimsUnsourced: false));
        }

        return options.ToImmutable();
    }

    private static DrOption Restore(string id, string repo, string onprem, bool claimsUnsourced)
    {
        var inputs = new JsonObject();
        if (repo != Repo1StateRef)
        {
            foreach (var step in RepoSteps)
            {
                inputs[step] = new JsonObject { ["repo_state_ref"] = repo };
            }
        }

        return new DrOption
        {
            Id = id,
            Title = $"restore onto the DR hosts from {repo}",
            Kind = "restore",
            BlueprintRef = FailoverBlueprint,
            RepoStateRef = repo,
            Site = "dr-hosts",
            CostHint = 1,
            Inputs = inputs,
            ClaimsUnsourcedDrills = claimsUnsourced,
            Confirmations =
            [
                new("fence_onprem", "fence_confirm", onprem, "the on-prem cluster to fence (a dead site counts as fenced by unreachability)"),
                new("restore_dr", "restore_confirm", DrClusterName, "the NEW cluster to restore"),
            ],
        };
    }

    /// <summary>repo key → object-repo state ref, from the backup state's `repositories` facts (empty when it has none).</summary>
    private static Dictionary<int, string> DeclaredRepositories(StateStore states)
    {
        var found = new Dictionary<int, string>();
        if (Read(states, BackupStateRef)?.Outputs["repositories"] is not JsonArray list)
        {
            return found;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject entry && entry["repo_state_ref"]?.ToString() is { Length: > 0 } stateRef)
            {
                var key = entry["repo_key"] is JsonValue v && v.TryGetValue<int>(out var k) ? k : i + 1;
                found.TryAdd(key, stateRef);
            }
        }

        return found;
    }

    internal static ModuleState? Read(StateStore states, string stateRef)
    {
        var r = StateRef.Parse(stateRef, "state ref");
        return states.Read(r.ModuleRef, r.Instance);
    }

    private static string? Output(StateStore states, string stateRef, string key) =>
        Read(states, stateRef) is { Status: StateStatus.Ok } s ? s.Outputs[key]?.ToString() : null;
}
