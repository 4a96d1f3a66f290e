using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// The named retry policies of every Google API call, in one place. Each attempt builds a fresh request
/// and has its own timeout (<see cref="GcpSettings.AttemptTimeout"/>).
/// </summary>
public static class GcpPolicies
{
    /// <summary>Attempts per call for reads and idempotent creates: 1 + 5 retries.</summary>
    public const int MaxAttempts = 6;

    /// <summary>
    /// "gcp-read" (GET, DELETE of a named resource) and "gcp-create" (a create that carries a requestId, or
    /// whose 409 ALREADY_EXISTS on a retry the caller adopts): retried on 429, 500, 502, 503, 504, a
    /// connection failure or an attempt timeout. Budget: 5 retries, exponential from 0.5 s with jitter,
    /// each wait at most 8 s, so at most ~16 s of waiting plus 6 attempt timeouts.
    /// </summary>
    public static ResiliencePipeline<HttpResponseMessage> Idempotent(GcpSettings settings, TimeProvider time) =>
        Build(settings, time, MaxAttempts - 1, Transient);

    /// <summary>
    /// "gcp-action" (promoteReplica, :start, :promote, :stop, changes.create — not safe to repeat blindly):
    /// retried only when the API says the request was not processed (429 RESOURCE_EXHAUSTED, 503
    /// UNAVAILABLE) or the connection failed before a response. Budget: 3 retries, exponential from 1 s, at most 8 s each.
    /// A timed-out attempt is NOT retried: the caller re-reads the resource instead.
    /// </summary>
    public static ResiliencePipeline<HttpResponseMessage> Action(GcpSettings settings, TimeProvider time) =>
        Build(settings, time, 3, NotProcessed, TimeSpan.FromSeconds(1));

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static ValueTask<bool> Transient(RetryPredicateArguments<HttpResponseMessage> args) => ValueTask.FromResult(args.Outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransient(response.StatusCode),
        _ => false,
    });

    private static ValueTask<bool> NotProcessed(RetryPredicateArguments<HttpResponseMessage> args) => ValueTask.FromResult(args.Outcome switch
    {
        { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable,
        _ => false,
    });

    private static ResiliencePipeline<HttpResponseMessage> Build(GcpSettings settings, TimeProvider time, int retries,
        Func<RetryPredicateArguments<HttpResponseMessage>, ValueTask<bool>> shouldHandle, TimeSpan? firstDelay = null)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = retries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = firstDelay ?? TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(8),
            ShouldHandle = shouldHandle,
            OnRetry = args =>
            {
                // A response that is retried is never read: free its connection.
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        });
        builder.AddTimeout(settings.AttemptTimeout);
        return builder.Build();
    }
}
