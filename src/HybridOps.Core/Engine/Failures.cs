using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;

namespace HybridOps.Core.Engine;

/// <summary>Maps the few expected non-hyops exceptions (secrets, vault) onto catalogued diagnostics.</summary>
public static class Failures
{
    public static HyopsException? Normalize(Exception ex) => ex switch
    {
        HyopsException h => h,
        SecretNotFoundException s => HyopsException.From(DiagnosticCatalog.SecretNotFound, s.Message),
        VaultException v => HyopsException.From(DiagnosticCatalog.VaultUnavailable, v.Message),
        OperationCanceledException => HyopsException.From(DiagnosticCatalog.Cancelled, "the run was cancelled"),
        _ => null,
    };
}
