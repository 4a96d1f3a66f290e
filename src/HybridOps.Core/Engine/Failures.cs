using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;

namespace HybridOps.Core.Engine;

/// <summary>Maps the few expected non-hyops exceptions (secrets, vault, timeouts) onto catalogued diagnostics.</summary>
public static class Failures
{
    /// <summary>
    /// Where the caller's token is not known (the CLI's last resort), a cancellation is taken at face value:
    /// the engine layers below have already told a timeout from a cancellation.
    /// </summary>
    public static HyopsException? Normalize(Exception ex) => Normalize(ex, (CancellationToken?)null, during: null);

    /// <summary>
    /// A cancellation is a cancellation only when the caller's own token asked for it. Any other
    /// <see cref="OperationCanceledException"/> (an HttpClient or Npgsql timeout, a wait with a deadline)
    /// and every <see cref="TimeoutException"/> is a connectivity failure naming what timed out.
    /// </summary>
    public static HyopsException? Normalize(Exception ex, CancellationToken callerToken, string? during = null) =>
        Normalize(ex, (CancellationToken?)callerToken, during);

    private static HyopsException? Normalize(Exception ex, CancellationToken? callerToken, string? during) => ex switch
    {
        HyopsException h => h,
        SecretNotFoundException s => HyopsException.From(DiagnosticCatalog.SecretNotFound, s.Message),
        VaultException v => HyopsException.From(DiagnosticCatalog.VaultUnavailable, v.Message),
        OperationCanceledException when callerToken is not { IsCancellationRequested: false } =>
            HyopsException.From(DiagnosticCatalog.Cancelled, "the run was cancelled"),
        OperationCanceledException or TimeoutException => HyopsException.From(DiagnosticCatalog.TimedOut, TimeoutText(ex, during)),
        _ => null,
    };

    private static string TimeoutText(Exception ex, string? during)
    {
        // The innermost message usually names the limit (e.g. "HttpClient.Timeout of 100 seconds elapsing").
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Contains(e.Message, StringComparer.Ordinal))
            {
                messages.Add(e.Message);
            }
        }

        var where = $" ({ex.GetType().Name})";
        var what = during is null ? "an operation" : $"an operation of {during}";
        return $"{what} timed out{where}: {string.Join(" <- ", messages)}; nobody cancelled the run";
    }
}
