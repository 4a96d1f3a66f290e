using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa;

/// <summary>One inventory member and what probing it over SQL gave: facts, or the failure diagnostic.</summary>
internal sealed record MemberProbe(string Name, string Host, int Port, MemberFacts? Facts, Diagnostic? Failure)
{
    public bool Reachable => Facts is not null;

    public static async Task<MemberProbe> RunAsync(string name, PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return new MemberProbe(name, endpoint.Host, endpoint.Port, await PgProbe.FactsAsync(endpoint, cancellationToken), null);
        }
        catch (HyopsException ex)
        {
            return new MemberProbe(name, endpoint.Host, endpoint.Port, null, ex.Diagnostics[0]);
        }
    }
}
