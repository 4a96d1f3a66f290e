namespace HybridOps.Postgres.Hosts;

/// <summary>
/// A command ran on a host and exited non-zero (<see cref="HostResult.EnsureSuccess"/>). Not a
/// diagnostic by itself: the caller knows what failed and maps it to its own HYO code.
/// </summary>
public sealed class HostCommandFailedException : InvalidOperationException
{
    public HostCommandFailedException(HostResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    public HostResult Result { get; }

    private static string Describe(HostResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var stderr = result.StdErr.Trim();
        return $"on host {result.Host}: '{string.Join(' ', result.RedactedArgv)}' exited with {result.ExitCode}: "
            + (stderr.Length > 2000 ? stderr[^2000..] : stderr);
    }
}
