using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlFence;

/// <summary>A member probed as an application would: its Patroni API, then a read-write transaction over TCP.</summary>
internal sealed record MemberWriteProbe(HaMember Member, bool ApiUp, WriteProbeResult Write)
{
    public bool Reachable => ApiUp || Write.PortReachable;

    public static async Task<MemberWriteProbe> RunAsync(PatroniClient patroni, HaMember member, PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        var apiUp = false;
        if (member.ApiUrl is not null)
        {
            try
            {
                await patroni.GetClusterAsync(member.ApiUrl, cancellationToken);
                apiUp = true;
            }
            catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
            {
            }
        }

        return new MemberWriteProbe(member, apiUp, await WriteProbe.RunAsync(endpoint, cancellationToken));
    }

    public JsonObject ToJson() => new()
    {
        ["name"] = Member.Name,
        ["host"] = Member.Host,
        ["port"] = Member.Port,
        ["reachable"] = Reachable,
        ["accepts_writes"] = Write.AcceptsWrites,
        ["evidence"] = new JsonObject
        {
            ["patroni_api"] = ApiUp ? "up" : "down",
            ["port"] = Write.PortReachable ? "open" : "closed",
            ["write_probe"] = Write.Outcome,
            ["sqlstate"] = Write.SqlState,
            ["detail"] = Write.Detail,
            ["fenced_by"] = Write.AcceptsWrites ? null : !Reachable ? "unreachable" : Write.Outcome == "rejected" ? "pg_hba-reject" : Write.Outcome,
        },
    };
}
