using System.Globalization;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// <see cref="IServiceManager"/> for hosts without systemd (the lab's hosts): Debian's
/// start-stop-daemon, as root through the executor. A service's definition is kept in
/// /etc/hyops/services/NAME.json on the host so stop and status need only the name; its pid file is
/// /run/hyops/NAME.pid and every match also checks the process owner (--user), so a recycled pid of
/// another user is never taken for the service.
/// </summary>
public sealed class StartStopDaemonServiceManager(IHostExecutor executor) : IServiceManager
{
    public const string DefinitionDirectory = "/etc/hyops/services";
    public const string PidDirectory = "/run/hyops";

    // Sources the 0600 environment file (as the service user, after --chuid) then execs the program,
    // so the pid start-stop-daemon records is the program's own.
    private const string WithEnvironmentFile = "set -a; . \"$1\"; set +a; shift; exec \"$@\"";
    private const string EnsureLog = "[ -e \"$1\" ] || { touch -- \"$1\" && chown -- \"$2:\" \"$1\" && chmod 0640 -- \"$1\"; }";
    private const string Status = "start-stop-daemon --status --pidfile \"$1\" --user \"$2\"; rc=$?; echo \"rc=$rc\"; [ $rc -ne 0 ] || cat -- \"$1\"";

    private readonly IHostExecutor _executor = executor ?? throw new ArgumentNullException(nameof(executor));

    public SiteHost Host => _executor.Host;

    public static string DefinitionPath(string name) => $"{DefinitionDirectory}/{ServiceUnit.ValidateName(name)}.json";

    public static string PidFile(string name) => $"{PidDirectory}/{ServiceUnit.ValidateName(name)}.pid";

    public async Task<ServiceStatus> StartAsync(ServiceUnit unit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(unit);
        unit.Validate();
        await ServiceDefinitions.WriteIfChangedAsync(_executor, DefinitionPath(unit.Name), ServiceDefinitions.Serialize(unit), ct);
        await RootAsync(["install", "-d", "-m", "0755", PidDirectory], ct);
        await RootAsync(["/bin/sh", "-c", EnsureLog, "hyops-log", unit.LogFile, unit.User], ct);
        await RootAsync(StartArgv(unit), ct);
        return await StatusAsync(unit.Name, ct);
    }

    public async Task StopAsync(string name, TimeSpan timeout, CancellationToken ct)
    {
        if (await DefinitionAsync(name, ct) is not { } unit)
        {
            return;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await RootAsync(["start-stop-daemon", "--stop", "--quiet", "--oknodo", "--retry", $"TERM/{seconds}/KILL/5",
            "--pidfile", PidFile(name), "--user", unit.User, "--remove-pidfile"], ct, timeout + TimeSpan.FromSeconds(20));
    }

    public async Task<ServiceStatus> RestartAsync(ServiceUnit unit, TimeSpan stopTimeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(unit);
        await StopAsync(unit.Name, stopTimeout, ct);
        return await StartAsync(unit, ct);
    }

    public async Task<ServiceStatus> StatusAsync(string name, CancellationToken ct)
    {
        if (await DefinitionAsync(name, ct) is not { } unit)
        {
            return new ServiceStatus(name, false, null, $"not defined on this host ({DefinitionPath(name)} absent)");
        }

        var lines = (await RootAsync(["/bin/sh", "-c", Status, "hyops-status", PidFile(name), unit.User], ct)).StdOut.Split('\n', StringSplitOptions.TrimEntries);
        var rc = lines[0] switch { "rc=0" => 0, "rc=1" => 1, "rc=3" => 3, _ => 4 };
        int? pid = rc == 0 && lines.Length > 1 && int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
        var detail = rc switch
        {
            0 => "running",
            1 => "not running (stale pid file)",
            3 => "not running",
            _ => "unknown: " + string.Join(' ', lines),
        };
        return new ServiceStatus(name, rc == 0, pid, detail);
    }

    public async Task RemoveAsync(string name, TimeSpan stopTimeout, CancellationToken ct)
    {
        await StopAsync(name, stopTimeout, ct);
        await RootAsync(["rm", "-f", "--", DefinitionPath(name), PidFile(name)], ct);
    }

    /// <summary>The start-stop-daemon argv for <paramref name="unit"/> (--oknodo: a running service is success).</summary>
    public static List<string> StartArgv(ServiceUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var argv = new List<string>
        {
            "start-stop-daemon", "--start", "--quiet", "--oknodo", "--background", "--make-pidfile",
            "--pidfile", PidFile(unit.Name), "--user", unit.User, "--chuid", unit.User,
            "--chdir", unit.WorkingDirectory ?? "/", "--output", unit.LogFile,
        };

        // --startas is exec'd without a PATH search: a bare program name goes through env, which execs it.
        var program = unit.Argv[0].StartsWith('/') ? new List<string>(unit.Argv) : ["/usr/bin/env", .. unit.Argv];
        if (unit.EnvironmentFile is { } envFile)
        {
            argv.AddRange(["--startas", "/bin/sh", "--", "-c", WithEnvironmentFile, "hyops-service", envFile]);
            argv.AddRange(program);
        }
        else
        {
            argv.AddRange(["--startas", program[0], "--"]);
            argv.AddRange(program.Skip(1));
        }

        return argv;
    }

    private async Task<ServiceUnit?> DefinitionAsync(string name, CancellationToken ct)
    {
        var path = DefinitionPath(name);
        return ServiceDefinitions.Deserialize(await _executor.GetFileAsync(path, ct), path);
    }

    private async Task<HostResult> RootAsync(IReadOnlyList<string> argv, CancellationToken ct, TimeSpan? timeout = null) =>
        (await _executor.RunAsync(new HostCommand(argv) { RunAs = HostCommand.Root, Timeout = timeout ?? TimeSpan.FromSeconds(30) }, ct)).EnsureSuccess();
}
