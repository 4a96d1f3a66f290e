using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Common;

/// <summary>The diagnostic of each repository fault pgBackRest reports (HYO5060 credentials, HYO5061 TLS, HYO4050 store down).</summary>
internal static class RepoFaults
{
    public static DiagnosticDescriptor? Descriptor(RepoFault fault) => fault switch
    {
        RepoFault.Credentials => DiagnosticCatalog.RepoCredentialsRejected,
        RepoFault.Tls => DiagnosticCatalog.RepoTlsVerifyFailed,
        RepoFault.Unreachable => DiagnosticCatalog.RepoUnreachable,
        _ => null,
    };
}
