using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>A Google API call that failed for good (after the retry policy), with the API's error and the call that got it.</summary>
public sealed class GcpApiException(DiagnosticDescriptor descriptor, string call, GcpApiError? error, string message)
    : HyopsException(descriptor.Create(message))
{
    /// <summary>"POST sqladmin /v1/projects/p/instances" (no query, no body).</summary>
    public string Call { get; } = call;

    public GcpApiError? Error { get; } = error;
}
