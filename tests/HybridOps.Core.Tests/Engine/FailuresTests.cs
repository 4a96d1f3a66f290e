using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;

namespace HybridOps.Core.Tests.Engine;

public sealed class FailuresTests
{
    [Fact]
    public void HttpClientTimeout_WhileTheCallerDidNotCancel_IsAConnectivityFailureNamingTheLimit()
    {
        var timeout = new TaskCanceledException("The request was canceled",
            new TimeoutException("The request was canceled due to the configured HttpClient.Timeout of 5 seconds elapsing."));

        var failure = Failures.Normalize(timeout, CancellationToken.None, "platform/onprem/postgresql-ha deploy").ShouldNotBeNull();

        failure.ExitCode.ShouldBe(ExitCode.ConnectivityFailure);
        failure.Diagnostics[0].Code.ShouldBe("HYO4004");
        failure.Diagnostics[0].Message.ShouldContain("HttpClient.Timeout of 5 seconds");
        failure.Diagnostics[0].Message.ShouldContain("platform/onprem/postgresql-ha deploy");
    }

    [Fact]
    public void Cancellation_RequestedByTheCaller_IsACancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var failure = Failures.Normalize(new OperationCanceledException(cts.Token), cts.Token).ShouldNotBeNull();

        failure.ExitCode.ShouldBe(ExitCode.Cancelled);
    }

    [Fact]
    public void TimeoutException_IsAConnectivityFailure_EvenWithoutAToken()
    {
        Failures.Normalize(new TimeoutException("etcd did not answer"), CancellationToken.None)!.ExitCode.ShouldBe(ExitCode.ConnectivityFailure);
        Failures.Normalize(new OperationCanceledException())!.ExitCode.ShouldBe(ExitCode.Cancelled);
    }
}
