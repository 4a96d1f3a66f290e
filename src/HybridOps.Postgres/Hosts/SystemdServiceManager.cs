using System.Globalization;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// <see cref="IServiceManager"/> for real hosts: a unit hyops writes (<see cref="SystemdUnitFile"/>)
/// and systemctl, as root through the executor. daemon-reload runs only when the unit changed.
/// Stop: <c>systemctl stop</c> within the timeout, then SIGKILL to the unit (<c>systemctl kill</c>).
/// </summary>
public sealed class SystemdServiceManager(IHostExecutor executor) : IServiceManager
{
    private readonly IHostExecutor _executor = executor ?? throw new ArgumentNullException(nameof(executor));

    public SiteHost Host => _executor.Host;

    public async Task<ServiceStatus> StartAsync(ServiceUnit unit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (await ServiceDefinitions.WriteIfChangedAsync(_executor, SystemdUnitFile.PathOf(unit.Name), SystemdUnitFile.Render(unit), ct))
        {
            await SystemctlAsync(ct, "daemon-reload");
        }

        await SystemctlAsync(ct, "start", SystemdUnitFile.UnitName(unit.Name));
        return await StatusAsync(unit.Name, ct);
    }

    public async Task StopAsync(string name, TimeSpan timeout, CancellationToken ct)
    {
        var unit = SystemdUnitFile.UnitName(name);
        try
        {
            await SystemctlAsync(ct, timeout, "stop", unit);
        }
        catch (HostCommandTimeoutException)
        {
            // The stop job keeps running in systemd; SIGKILL ends it, then stop completes at once.
            await SystemctlAsync(ct, "kill", "--signal=SIGKILL", unit);
            await SystemctlAsync(ct, "stop", unit);
        }
    }

    public async Task<ServiceStatus> RestartAsync(ServiceUnit unit, TimeSpan stopTimeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(unit);
        await StopAsync(unit.Name, stopTimeout, ct);
        return await StartAsync(unit, ct);
    }

    public async Task<ServiceStatus> StatusAsync(string name, CancellationToken ct)
    {
        var result = await SystemctlAsync(ct, "show", "--property=ActiveState,SubState,MainPID,LoadState", SystemdUnitFile.UnitName(name));
        return Parse(name, result.StdOut);
    }

    public async Task RemoveAsync(string name, TimeSpan stopTimeout, CancellationToken ct)
    {
        await StopAsync(name, stopTimeout, ct);
        var path = SystemdUnitFile.PathOf(name);
        if (await _executor.GetFileAsync(path, ct) is not null)
        {
            (await _executor.RunAsync(new HostCommand(["rm", "-f", "--", path]) { RunAs = HostCommand.Root, Timeout = TimeSpan.FromSeconds(30) }, ct)).EnsureSuccess();
            await SystemctlAsync(ct, "daemon-reload");
        }
    }

    /// <summary>Reads <c>systemctl show</c> key=value output.</summary>
    public static ServiceStatus Parse(string name, string show)
    {
        ArgumentNullException.ThrowIfNull(show);
        var values = show.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        var active = values.GetValueOrDefault("ActiveState") == "active";
        int? pid = int.TryParse(values.GetValueOrDefault("MainPID"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : null;
        var detail = $"{values.GetValueOrDefault("LoadState", "?")}/{values.GetValueOrDefault("ActiveState", "?")}/{values.GetValueOrDefault("SubState", "?")}";
        return new ServiceStatus(name, active, active ? pid : null, detail);
    }

    private Task<HostResult> SystemctlAsync(CancellationToken ct, params string[] args) => SystemctlAsync(ct, TimeSpan.FromSeconds(120), args);

    private async Task<HostResult> SystemctlAsync(CancellationToken ct, TimeSpan timeout, params string[] args) =>
        (await _executor.RunAsync(new HostCommand(["systemctl", .. args]) { RunAs = HostCommand.Root, Timeout = timeout }, ct)).EnsureSuccess();
}
