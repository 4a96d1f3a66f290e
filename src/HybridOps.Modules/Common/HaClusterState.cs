using System.Collections.Immutable;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.State;

namespace HybridOps.Modules.Common;

/// <summary>
/// A platform/onprem/postgresql-ha state (contract postgresql-ha/v1) as the DR modules read it:
/// identity, leader endpoint, members and the superuser's env key NAME. Another contract version
/// fails clearly, naming both versions (SRC-8).
/// </summary>
internal sealed record HaClusterState(
    string ClusterName,
    string SystemIdentifier,
    string LeaderName,
    string LeaderHost,
    int LeaderPort,
    string DbUser,
    string DbPasswordEnv,
    ImmutableArray<HaMember> Members,
    ImmutableArray<string> ApiUrls)
{
    public const string Contract = "postgresql-ha/v1";

    public static HaClusterState From(ModuleState? state, string inputName)
    {
        if (state is null)
        {
            throw HyopsException.From(DiagnosticCatalog.StateAbsent, $"input '{inputName}' references no published cluster state");
        }

        var o = state.Outputs;
        var version = o.Str("contract_version") ?? state.ContractVersion;
        if (version != Contract)
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion,
                $"cluster state '{state.ModuleRef}{(state.Instance is null ? "" : "#" + state.Instance)}' (input '{inputName}') has contract_version '{version ?? "none"}'; this module reads '{Contract}'");
        }

        if (o["ready"] is { } ready && !ready.GetValue<bool>())
        {
            throw HyopsException.From(DiagnosticCatalog.StateNotOk, $"cluster state '{state.ModuleRef}' says the cluster is not ready");
        }

        var members = o.Objects("members").Select(m => new HaMember(
            m.Str("name") ?? Missing("members[].name"), m.Str("host") ?? Missing("members[].host"),
            m.Int("port") ?? 5432, m.Str("api_url"))).ToImmutableArray();
        if (members.Length == 0)
        {
            Missing("members");
        }

        return new HaClusterState(
            o.Str("cluster_name") ?? Missing("cluster_name"),
            o.Str("system_identifier") ?? Missing("system_identifier"),
            o.Str("leader_name") ?? Missing("leader_name"),
            o.Str("leader_host") ?? Missing("leader_host"),
            o.Int("leader_port") ?? 5432,
            o.Str("db_user") ?? "postgres",
            o.Str("db_password_env") ?? Missing("db_password_env"),
            members,
            [.. o.Objects("members").Select(m => m.Str("api_url")).OfType<string>()]);

        string Missing(string key) => throw HyopsException.From(DiagnosticCatalog.StateContractVersion,
            $"cluster state '{state.ModuleRef}' lacks '{key}', which {Contract} requires");
    }
}

/// <summary>One member as the cluster contract lists it.</summary>
internal sealed record HaMember(string Name, string Host, int Port, string? ApiUrl);
