using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// The member hosts of an SSH site: every effect goes through the host's executor (files with owner
/// and mode, commands as the service user) and its service manager (Patroni as the service
/// <c>patroni-&lt;scope&gt;</c>, its passwords in a 0600 environment file in the member dir). Nothing
/// runs on this machine and no pid is signalled: a PostgreSQL that outlived its Patroni is stopped
/// with its own pg_ctl.
/// </summary>
internal sealed class SshRestoreMembers(ModuleContext context, string scope, string postgresBinDir) : IRestoreMembers
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, IHostExecutor> executors = new(StringComparer.Ordinal);

    public string ServiceName { get; } = ServiceUnit.ValidateName("patroni-" + new string([.. scope.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]));

    public static string EnvironmentFile(RestoreHost host) => Path.Combine(host.Dir, "patroni.env");

    public async Task<MemberDirFacts> InspectAsync(RestoreHost host, CancellationToken ct)
    {
        var r = await RootAsync(host, ct, "/bin/sh", "-c", "cat -- \"$1\" 2>/dev/null; echo; echo '--hyops--'; ls -A -- \"$2\" 2>/dev/null | head -n 1",
            "hyops-inspect", Path.Combine(host.Dir, OwnerMarker.FileName), host.DataDir);
        var parts = r.StdOut.Split("--hyops--", 2);
        return new MemberDirFacts(OwnerMarker.Parse(parts[0]), parts.Length > 1 && parts[1].Trim().Length > 0);
    }

    public async Task EnsureDirectoryAsync(RestoreHost host, string path, UnixFileMode mode, CancellationToken ct)
    {
        var user = host.Ssh!.ServiceUser;
        (await RootAsync(host, ct, "install", "-d", "-o", user, "-g", user, "-m", Octal(mode), path)).EnsureSuccess();
    }

    public Task WriteFileAsync(RestoreHost host, string path, string content, UnixFileMode mode, CancellationToken ct) =>
        Executor(host).PutFileAsync(path, Encoding.UTF8.GetBytes(content), host.Ssh!.ServiceUser, host.Ssh.ServiceUser, mode, ct);

    public async Task DeleteContentsAsync(RestoreHost host, string dir, CancellationToken ct) =>
        (await RootAsync(host, ct, "find", dir, "-mindepth", "1", "-delete")).EnsureSuccess();

    public async Task<MemberCommandResult> RunAsync(RestoreHost host, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? secretEnvironment, TimeSpan timeout, CancellationToken ct)
    {
        var r = await Executor(host).RunAsync(new HostCommand(argv)
        {
            RunAs = host.Ssh!.ServiceUser, SecretEnvironment = secretEnvironment, Timeout = timeout, WorkingDirectory = "/",
        }, ct);
        return new MemberCommandResult(r.ExitCode, r.StdOut, r.StdErr, r.Duration, r.RedactedArgv);
    }

    public async Task<int> CoresAsync(RestoreHost host, CancellationToken ct)
    {
        var r = await Executor(host).RunAsync(new HostCommand(["nproc"]) { Timeout = CommandTimeout }, ct);
        return r.Succeeded && int.TryParse(r.StdOut.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
    }

    public async Task StartPatroniAsync(RestoreHost host, string patroniBin, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var envFile = EnvironmentFile(host);
        await WriteFileAsync(host, envFile, ServiceEnvironmentFile.Render(environment), UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        var unit = new ServiceUnit(ServiceName, [patroniBin, host.PatroniConfig], host.Ssh!.ServiceUser, host.PatroniLog)
        {
            EnvironmentFile = envFile, WorkingDirectory = host.Dir, Description = $"Patroni member {host.Name} of {scope} (restored by hyops)",
        };
        var status = await Services(host).StartAsync(unit, ct);
        context.Evidence.Action($"start patroni {host.Name}", unit.Argv, status.Active ? 0 : 1, TimeSpan.Zero, new JsonObject
        {
            ["host"] = host.Ssh.ToString(), ["service"] = ServiceName, ["manager"] = host.ServiceManager, ["main_pid"] = status.MainPid,
            ["log"] = host.PatroniLog, ["environment_file"] = envFile, ["env_keys"] = environment.Keys.ToJsonArray(),
        });
        context.Progress.Report($"started patroni {host.Name} on {host.Host} (service {ServiceName}, {host.ServiceManager})");
    }

    public async Task<IReadOnlyList<string>> StopAsync(IReadOnlyList<RestoreHost> targets, CancellationToken ct)
    {
        var stopped = new List<string>();
        foreach (var h in targets)
        {
            var before = await Services(h).StatusAsync(ServiceName, ct);
            await Services(h).StopAsync(ServiceName, TimeSpan.FromSeconds(30), ct);
            if (before.Active)
            {
                stopped.Add($"patroni-{h.Name}");
                context.Evidence.Action($"stop patroni {h.Name}", ["service-stop", ServiceName], 0, TimeSpan.Zero, new JsonObject { ["host"] = h.Ssh!.ToString(), ["main_pid"] = before.MainPid });
            }

            // A PostgreSQL whose Patroni died outlives it: its own pg_ctl stops it (fast shutdown).
            if (await StopOutlivingPostgresAsync(h, h.DataDir, $"stop postgres {h.Name}", 20, TimeSpan.FromSeconds(40), ct))
            {
                stopped.Add($"postgres-{h.Name}");
            }
        }

        return stopped;
    }

    /// <summary>
    /// Retires a site's own database member (the cluster a failback reseed replaces, after the typed
    /// wipe_confirm): its Patroni service stopped through the host's service manager, which shuts its
    /// PostgreSQL down; a PostgreSQL that outlived its Patroni is stopped with its own pg_ctl. The DCS is
    /// not touched. Returns what was stopped (service@host, postgres@host).
    /// </summary>
    public async Task<IReadOnlyList<string>> RetireSiteMemberAsync(RestoreHost host, string patroniService, string dataDir, CancellationToken ct)
    {
        var stopped = new List<string>();
        var before = await Services(host).StatusAsync(patroniService, ct);
        if (before.Active)
        {
            await Services(host).StopAsync(patroniService, TimeSpan.FromSeconds(60), ct);
            stopped.Add($"{patroniService}@{host.Name}");
        }

        context.Evidence.Action($"retire site member {host.Name}: stop {patroniService}", ["service-stop", patroniService], 0, TimeSpan.Zero, new JsonObject
        {
            ["host"] = host.Ssh!.ToString(), ["manager"] = host.ServiceManager, ["was_active"] = before.Active, ["main_pid"] = before.MainPid, ["detail"] = before.Detail,
        });
        if (await StopOutlivingPostgresAsync(host, dataDir, $"retire site member {host.Name}: stop postgres", 30, TimeSpan.FromSeconds(45), ct))
        {
            stopped.Add($"postgres@{host.Name}");
        }

        return stopped;
    }

    /// <summary>
    /// `pg_ctl stop -m fast` of the PostgreSQL in <paramref name="dataDir"/> when it has a postmaster.pid
    /// (pg_ctl waits at most <paramref name="waitSeconds"/>, the command <paramref name="timeout"/>), recorded as
    /// <paramref name="action"/>; true when it stopped.
    /// </summary>
    private async Task<bool> StopOutlivingPostgresAsync(RestoreHost host, string dataDir, string action, int waitSeconds, TimeSpan timeout, CancellationToken ct)
    {
        var pgctl = await RunAsync(host,
            ["/bin/sh", "-c", "[ -f \"$1/postmaster.pid\" ] || exit 3; exec \"$2/pg_ctl\" -D \"$1\" stop -m fast -w -t \"$3\"", "hyops-stop", dataDir, postgresBinDir, waitSeconds.ToString(CultureInfo.InvariantCulture)],
            null, timeout, ct);
        if (pgctl.ExitCode == 3)
        {
            return false;
        }

        context.Evidence.Action(action, pgctl.Argv, pgctl.ExitCode, pgctl.Duration, new JsonObject { ["stderr"] = pgctl.StdErr.Trim() });
        return pgctl.Succeeded;
    }

    public async Task<string?> DeadPatroniAsync(IReadOnlyList<RestoreHost> started, CancellationToken ct)
    {
        foreach (var h in started)
        {
            var status = await Services(h).StatusAsync(ServiceName, ct);
            if (!status.Active)
            {
                return $"patroni {h.Name} (service {ServiceName} on {h.Host}: {status.Detail})";
            }
        }

        return null;
    }

    public async Task<string> PatroniLogTailAsync(RestoreHost host, CancellationToken ct)
    {
        var r = await RootAsync(host, ct, "tail", "-c", "4000", "--", host.PatroniLog);
        return r.Succeeded ? r.StdOut.Trim() : $"(no log: {r.StdErr.Trim()})";
    }

    public async Task<string?> RunningPostgresAsync(RestoreHost host, CancellationToken ct)
    {
        var r = await RunAsync(host, [Path.Combine(postgresBinDir, "pg_ctl"), "-D", host.DataDir, "status"], null, CommandTimeout, ct);
        return r.Succeeded ? r.StdOut.Trim().Split('\n')[0] : null;
    }

    public async Task<IReadOnlyList<string>> RemoveMemberAsync(RestoreHost host, CancellationToken ct)
    {
        await Services(host).RemoveAsync(ServiceName, TimeSpan.FromSeconds(30), ct);
        (await RootAsync(host, ct, "rm", "-rf", "--", host.Dir)).EnsureSuccess();
        // The data root goes too once no other member dir is in it.
        await RootAsync(host, ct, "rmdir", "--ignore-fail-on-non-empty", "--", Path.GetDirectoryName(host.Dir)!);
        context.Evidence.Action($"remove member {host.Name}", ["rm", "-rf", host.Dir], 0, TimeSpan.Zero, new JsonObject { ["host"] = host.Ssh!.ToString(), ["service"] = ServiceName });
        var left = new List<string>();
        var status = await Services(host).StatusAsync(ServiceName, ct);
        if (status.Active || !status.Detail.StartsWith("not defined", StringComparison.Ordinal) && !status.Detail.StartsWith("not-found", StringComparison.Ordinal))
        {
            left.Add($"service {ServiceName} on {host.Name}: {status.Detail}");
        }

        if ((await RootAsync(host, ct, "test", "-e", host.Dir)).Succeeded)
        {
            left.Add($"{host.Dir} on {host.Name}");
        }

        return left;
    }

    public void RecordRunning(IReadOnlyList<RestoreHost> targets)
    {
        // The host's service manager tracks the servers: nothing is recorded on this machine.
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in executors.Values)
        {
            await e.DisposeAsync();
        }

        executors.Clear();
    }

    private IHostExecutor Executor(RestoreHost host)
    {
        if (!executors.TryGetValue(host.Name, out var e))
        {
            executors[host.Name] = e = HostExecutors.Create(host.Ssh ?? throw new InvalidOperationException($"{host.Name} is not an ssh host"));
        }

        return e;
    }

    private IServiceManager Services(RestoreHost host) => ServiceManagers.Create(host.ServiceManager, Executor(host));

    private Task<HostResult> RootAsync(RestoreHost host, CancellationToken ct, params string[] argv) =>
        Executor(host).RunAsync(new HostCommand(argv) { RunAs = HostCommand.Root, Timeout = CommandTimeout }, ct);

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
