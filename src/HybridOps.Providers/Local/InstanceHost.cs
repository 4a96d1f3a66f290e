using System.Globalization;
using System.Text;
using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Providers.Local;

/// <summary>
/// Where the local provider's instances live: this machine (the local executor; servers started with
/// pg_ctl and listed in processes.json for `lab down`) or one host reached over SSH (its executor; each
/// server a service of the host's service manager, `managed-NAME`). Every file and process effect of
/// the provider goes through here, so the provider's code is the same for both.
/// </summary>
internal sealed class InstanceHost : IAsyncDisposable
{
    private static readonly TimeSpan FileTimeout = TimeSpan.FromSeconds(30);
    private readonly IHostExecutor _exec;
    private readonly IServiceManager? _services;
    private readonly bool _ownsExecutor;

    private InstanceHost(IHostExecutor exec, IServiceManager? services, IProcessRunner runner, string owner, bool ownsExecutor)
    {
        _exec = exec;
        _services = services;
        Runner = runner;
        Owner = owner;
        _ownsExecutor = ownsExecutor;
    }

    /// <summary>Runs the provider's tools (initdb, pg_ctl, pgbackrest) on the instances' host.</summary>
    public IProcessRunner Runner { get; }

    /// <summary>The OS user that owns the instances' files.</summary>
    public string Owner { get; }

    /// <summary>User the provider's tools run as: the service user; locally null when hyops is not root (then its own user).</summary>
    public string? RunAs => Remote ? Owner : ProcessIdentity.ServiceUserOrNull(Owner);

    public bool Remote => _services is not null;

    public string Name => _exec.Host.Name;

    public static InstanceHost Local(IProcessRunner runner, string osUser) =>
        new(new LocalHostExecutor(runner: runner), null, runner, ProcessIdentity.IsRoot ? osUser : ProcessIdentity.UserName, ownsExecutor: true);

    public static InstanceHost Ssh(SiteHost host, string serviceManager) =>
        SshOver(HostExecutors.Create(host), serviceManager, ownsExecutor: true);

    private static InstanceHost SshOver(IHostExecutor exec, string serviceManager, bool ownsExecutor) =>
        new(exec, ServiceManagers.Create(serviceManager, exec), new HostProcessRunner(exec), exec.Host.ServiceUser, ownsExecutor);

    public async Task EnsureDirectoryAsync(string path, string mode, CancellationToken ct) =>
        await RootAsync(ct, "install", "-d", "-m", mode, "-o", Owner, "-g", Owner, path);

    /// <summary>Writes a file owned by <see cref="Owner"/> with <paramref name="mode"/> (atomically: temp file, then rename).</summary>
    public Task WriteAsync(string path, string text, UnixFileMode mode, CancellationToken ct) =>
        _exec.PutFileAsync(path, Encoding.UTF8.GetBytes(text), Owner, Owner, mode, ct);

    public async Task<string?> ReadAsync(string path, CancellationToken ct) =>
        await _exec.GetFileAsync(path, ct) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Appends <paramref name="line"/> to a 0600 server file unless it already has it.</summary>
    public async Task AppendOnceAsync(string path, string line, CancellationToken ct)
    {
        var text = await ReadAsync(path, ct) ?? "";
        if (!text.Contains(line, StringComparison.Ordinal))
        {
            await WriteAsync(path, text + (text.EndsWith('\n') || text.Length == 0 ? "" : "\n") + line + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        }
    }

    public Task DeleteAsync(string path, CancellationToken ct) => RootAsync(ct, "rm", "-f", "--", path);

    public Task DeleteTreeAsync(string path, CancellationToken ct) => RootAsync(ct, "rm", "-rf", "--", path);

    /// <summary>The names of the subdirectories of <paramref name="dir"/> (none when it does not exist).</summary>
    public async Task<IReadOnlyList<string>> SubdirectoriesAsync(string dir, CancellationToken ct)
    {
        var r = (await _exec.RunAsync(new HostCommand(["/bin/sh", "-c", "[ -d \"$1\" ] || exit 0; cd -- \"$1\" && for d in */; do if [ -d \"$d\" ]; then echo \"${d%/}\"; fi; done", "hyops-ls", dir])
        {
            RunAs = HostCommand.Root, Timeout = FileTimeout,
        }, ct)).EnsureSuccess();
        return [.. r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Starts the instance's server and returns once it accepts connections on its socket.</summary>
    public async Task StartServerAsync(string name, LocalProviderOptions options, int port, List<ProcessResult> actions, CancellationToken ct)
    {
        var data = options.DataDir(name);
        if (_services is null)
        {
            var start = await Runner.RunAsync(new ProcessSpec(Bin(options, "pg_ctl"), ["-D", data, "-l", options.LogFile(name), "-w", "-t", "60", "start"],
                WorkingDirectory: options.InstanceDir(name), RunAsUser: RunAs, Timeout: TimeSpan.FromSeconds(70)), ct);
            actions.Add(start);
            if (!start.Succeeded)
            {
                throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed, $"pg_ctl start exited with {start.ExitCode}: {start.StdErr.Trim()}");
            }

            var pid = LocalPid(options, name) ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed,
                $"instance '{name}' did not stay up after pg_ctl start; see {options.LogFile(name)}");
            ProcessesFile.Set(options.ProcessesFile, name, pid, data);
            return;
        }

        var unit = new ServiceUnit(ServiceName(name), [Bin(options, "postgres"), "-D", data], Owner, options.LogFile(name))
        {
            WorkingDirectory = options.InstanceDir(name), Description = $"hyops managed PostgreSQL instance {name}",
        };
        await _services.StartAsync(unit, ct);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var ready = await Runner.RunAsync(new ProcessSpec(Bin(options, "pg_isready"), ["-q", "-h", options.SocketDir(name), "-p", port.ToString(CultureInfo.InvariantCulture)],
                RunAsUser: Owner, Timeout: TimeSpan.FromSeconds(10)), ct);
            if (ready.Succeeded)
            {
                actions.Add(ready);
                return;
            }

            if (!(await _services.StatusAsync(unit.Name, ct)).Active || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                var log = await ReadAsync(options.LogFile(name), ct) ?? "";
                throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed,
                    $"instance '{name}' on host {Name} did not accept connections (service {unit.Name}); its log ends: {Tail(log)}");
            }

            await Task.Delay(200, ct);
        }
    }

    public async Task<bool> IsRunningAsync(string name, LocalProviderOptions options, CancellationToken ct) =>
        _services is null ? LocalPid(options, name) is not null : (await _services.StatusAsync(ServiceName(name), ct)).Active;

    /// <summary>A fast shutdown with pg_ctl, then the service manager's stop (a no-op once the server exited).</summary>
    public async Task StopServerAsync(string name, LocalProviderOptions options, List<ProcessResult> actions, CancellationToken ct)
    {
        var localPid = _services is null ? LocalPid(options, name) : null;
        if (_services is null && localPid is null)
        {
            return;
        }

        var stop = await Runner.RunAsync(new ProcessSpec(Bin(options, "pg_ctl"), ["-D", options.DataDir(name), "-m", "fast", "-w", "-t", "60", "stop"],
            RunAsUser: RunAs, Timeout: TimeSpan.FromSeconds(70)), ct);
        actions.Add(stop);
        if (_services is not null)
        {
            await _services.StopAsync(ServiceName(name), TimeSpan.FromSeconds(10), ct);
            return;
        }

        if (localPid is { } pid && LocalPid(options, name) is not null)
        {
            // pg_ctl could not stop it: the pid was checked against the data dir marker, so terminating it is safe.
            await ProcessControl.TerminateAsync(pid, TimeSpan.FromSeconds(10), ct);
        }

        ProcessesFile.Set(options.ProcessesFile, name, null, options.DataDir(name));
    }

    /// <summary>
    /// A deleted instance's server is no service of its host any more: the service manager forgets it (its
    /// definition and pid file go). On this machine processes.json already holds no pid of it.
    /// </summary>
    public async Task RemoveServiceAsync(string name, CancellationToken ct)
    {
        if (_services is not null)
        {
            await _services.RemoveAsync(ServiceName(name), TimeSpan.FromSeconds(10), ct);
        }
    }

    /// <summary>The service manager's name of an instance's server on a host.</summary>
    public static string ServiceName(string instance) => $"managed-{instance}";

    public ValueTask DisposeAsync() => _ownsExecutor ? _exec.DisposeAsync() : ValueTask.CompletedTask;

    private async Task RootAsync(CancellationToken ct, params string[] argv) =>
        (await _exec.RunAsync(new HostCommand(argv) { RunAs = HostCommand.Root, Timeout = FileTimeout }, ct)).EnsureSuccess();

    private static string Bin(LocalProviderOptions options, string tool) => $"{options.PgBinDir}/{tool}";

    private static string Tail(string log) => log.Length > 600 ? log[^600..].Trim() : log.Trim();

    /// <summary>The postmaster pid when it is alive and its argv still names this instance's data dir (this machine only).</summary>
    private static int? LocalPid(LocalProviderOptions options, string name)
    {
        var pidFile = Path.Combine(options.DataDir(name), "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var first = File.ReadLines(pidFile).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
               && ProcessControl.CommandLineContains(pid, options.DataDir(name)) ? pid : null;
    }
}
