namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>What the fake does instead of (or to) the next matching call.</summary>
public enum FakeFaultKind
{
    /// <summary>Answer with an HTTP error status and a google.rpc error body.</summary>
    Status,
    /// <summary>Hold the answer for longer than the client's attempt timeout, then process the call normally.</summary>
    Delay,
    /// <summary>Process the call, but its long-running operation ends with `error`.</summary>
    OperationError,
    /// <summary>Process the call, then answer with an HTTP error (the effect happened, the client did not see it).</summary>
    StatusAfterEffect,
}

/// <summary>A fault for calls whose "METHOD api path" contains <see cref="Match"/>, applied <see cref="Times"/> times.</summary>
public sealed record FakeFault(FakeFaultKind Kind, string Match, int Times = 1, int HttpStatus = 503, string RpcStatus = "UNAVAILABLE", TimeSpan Delay = default)
{
    public int Remaining { get; set; } = Times;
}
