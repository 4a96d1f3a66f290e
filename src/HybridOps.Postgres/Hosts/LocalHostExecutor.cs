using HybridOps.Postgres.Exec;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// <see cref="IHostExecutor"/> for hyops' own machine, through <see cref="IProcessRunner"/>: no
/// shell, an explicit environment (<see cref="ChildEnvironment"/>), secrets in the child's
/// environment only (never argv). Become is the runner's: setpriv to the RunAs user when hyops is
/// root; root itself and any user when hyops is not root run as hyops' own user.
/// </summary>
public sealed class LocalHostExecutor(SiteHost? host = null, IProcessRunner? runner = null) : IHostExecutor
{
    private readonly IProcessRunner _runner = runner ?? new LocalProcessRunner();

    public SiteHost Host { get; } = host ?? new SiteHost("local", "localhost") { Transport = SiteHost.LocalTransport };

    public Task<HostResult> RunAsync(HostCommand command, CancellationToken ct) => RunCoreAsync(command, null, ct);

    public Task<HostResult> RunStreamingAsync(HostCommand command, Action<string> onLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        return RunCoreAsync(command, onLine, ct);
    }

    public async Task PutFileAsync(string path, ReadOnlyMemory<byte> content, string owner, string group, UnixFileMode mode, CancellationToken ct) =>
        (await RunAsync(HostFileCommands.Put(Host, path, content, owner, group, mode), ct)).EnsureSuccess();

    public async Task<byte[]?> GetFileAsync(string path, CancellationToken ct) =>
        HostFileCommands.ReadGet(await RunAsync(HostFileCommands.Get(path), ct));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The process spec for <paramref name="command"/>: argv as is, secrets merged into the environment.</summary>
    public static ProcessSpec SpecFor(HostCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Argv.Count == 0 || string.IsNullOrEmpty(command.Argv[0]))
        {
            throw new ArgumentException("a host command needs at least a program name", nameof(command));
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in (command.Environment ?? new Dictionary<string, string>()).Concat(command.SecretEnvironment ?? new Dictionary<string, string>()))
        {
            env[HostNames.Variable(name)] = value;
        }

        return new ProcessSpec(command.Argv[0], [.. command.Argv.Skip(1)], command.WorkingDirectory ?? "/", env,
            RunAsUser: command.RunAs == HostCommand.Root ? null : command.RunAs, StdinText: command.StdinText, Timeout: command.Timeout);
    }

    private async Task<HostResult> RunCoreAsync(HostCommand command, Action<string>? onLine, CancellationToken ct)
    {
        var spec = SpecFor(command);
        try
        {
            var result = onLine is null ? await _runner.RunAsync(spec, ct) : await _runner.RunStreamingAsync(spec, onLine, ct);
            return new HostResult(Host, result.ExitCode, result.StdOut, result.StdErr, result.Duration, result.Argv);
        }
        catch (TimeoutException ex) when (!ct.IsCancellationRequested)
        {
            throw new HostCommandTimeoutException(Host, command.Argv, command.Timeout ?? TimeSpan.Zero, ex);
        }
    }
}
