using HybridOps.Postgres.Exec;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// An <see cref="IProcessRunner"/> whose processes run on a host through its <see cref="IHostExecutor"/>,
/// so code written against the process port (pgbackrest, psql) runs unchanged on a remote member.
/// Every environment variable of a spec travels as a secret (stdin to the remote preamble, never in argv).
/// </summary>
public sealed class HostProcessRunner(IHostExecutor executor) : IProcessRunner
{
    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct) => RunCoreAsync(spec, null, ct);

    public Task<ProcessResult> RunStreamingAsync(ProcessSpec spec, Action<string> onLine, CancellationToken ct) => RunCoreAsync(spec, onLine, ct);

    public Task<int> StartDetachedAsync(ProcessSpec spec, string logFile, CancellationToken ct) =>
        throw new NotSupportedException($"daemons on host {executor.Host.Name} are started by its service manager, not detached by hyops");

    private async Task<ProcessResult> RunCoreAsync(ProcessSpec spec, Action<string>? onLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var command = new HostCommand([spec.FileName, .. spec.Arguments])
        {
            RunAs = spec.RunAsUser,
            SecretEnvironment = spec.Environment,
            StdinText = spec.StdinText,
            Timeout = spec.Timeout,
            WorkingDirectory = spec.WorkingDirectory,
        };
        var r = onLine is null ? await executor.RunAsync(command, ct) : await executor.RunStreamingAsync(command, onLine, ct);
        return new ProcessResult(r.ExitCode, r.StdOut, r.StdErr, r.Duration, [$"[{executor.Host.Name}]", .. r.RedactedArgv]);
    }
}
