using HybridOps.Postgres.Exec;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// <see cref="IHostExecutor"/> through the OpenSSH client, so the operator's ssh_config,
/// ProxyJump, agent, certificates and known_hosts work as they do for them. Host keys are checked
/// strictly (never accepted silently). One multiplexed master connection per host
/// (ControlMaster=auto) makes a command cost milliseconds; disposing closes it (<c>ssh -O exit</c>).
/// The argv is built by <see cref="SshCommandLine"/> and <see cref="RemoteCommand"/>.
/// </summary>
public sealed class SshHostExecutor(SiteHost host, SshExecutorOptions? options = null, IProcessRunner? runner = null) : IHostExecutor
{
    private readonly SshExecutorOptions _options = options ?? new SshExecutorOptions();
    private readonly IProcessRunner _runner = runner ?? new LocalProcessRunner();
    private readonly SshControlDirectory _control = new(options?.ControlDirectory);

    public SiteHost Host { get; } = host ?? throw new ArgumentNullException(nameof(host));

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

    public async ValueTask DisposeAsync()
    {
        if (_options.Multiplex && _control.HasSockets)
        {
            var argv = SshCommandLine.ExitMaster(Host, _options, _control.Path);
            // Best effort: a master that already went away (ControlPersist expired) is not an error.
            await _runner.RunAsync(new ProcessSpec(argv[0], argv[1..], Environment: LocalEnvironment(), Timeout: TimeSpan.FromSeconds(10)), CancellationToken.None);
        }

        _control.Dispose();
    }

    /// <summary>
    /// Starts <paramref name="command"/> on the host with its stdin and stdout as a raw byte transport
    /// (no timeout: the caller disposes the pipe). Used to relay a unix socket of the host.
    /// </summary>
    public ProcessPipe OpenPipe(HostCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var remote = RemoteCommand.Build(Host, command with { Timeout = null, StdinText = null }, _options.RemotePath);
        var argv = SshCommandLine.Connection(Host, _options, _options.Multiplex ? _control.Path : null);
        argv.Add(remote.CommandLine);
        return LocalProcessRunner.StartPipe(new ProcessSpec(argv[0], argv[1..], WorkingDirectory: "/", Environment: LocalEnvironment()), remote.Stdin);
    }

    private async Task<HostResult> RunCoreAsync(HostCommand command, Action<string>? onLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        var remote = RemoteCommand.Build(Host, command, _options.RemotePath);
        var argv = SshCommandLine.Connection(Host, _options, _options.Multiplex ? _control.Path : null);
        argv.Add(remote.CommandLine);

        // The remote side enforces the command's timeout (coreutils timeout kills the command there);
        // the local limit only bounds a connection that hangs.
        var localLimit = command.Timeout + _options.ConnectTimeout + _options.TimeoutGrace;
        var spec = new ProcessSpec(argv[0], argv[1..], WorkingDirectory: "/", Environment: LocalEnvironment(), StdinText: remote.Stdin, Timeout: localLimit);
        ProcessResult result;
        try
        {
            result = onLine is null ? await _runner.RunAsync(spec, ct) : await _runner.RunStreamingAsync(spec, onLine, ct);
        }
        catch (TimeoutException ex) when (!ct.IsCancellationRequested)
        {
            throw new HostCommandTimeoutException(Host, command.Argv, command.Timeout ?? localLimit ?? TimeSpan.Zero, ex);
        }

        if (command.Timeout is { } timeout && result.ExitCode is 124 or 137 && result.Duration >= timeout)
        {
            throw new HostCommandTimeoutException(Host, command.Argv, timeout);
        }

        if (SshFailures.Classify(Host, result.ExitCode, result.StdErr, remote.Become) is { } failure)
        {
            throw failure;
        }

        return new HostResult(Host, result.ExitCode, result.StdOut, result.StdErr, result.Duration, result.Argv);
    }

    private Dictionary<string, string>? LocalEnvironment() =>
        _options.AgentSocket is { Length: > 0 } socket ? new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = socket } : null;
}
