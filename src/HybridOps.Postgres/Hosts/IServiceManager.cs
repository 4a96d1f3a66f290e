namespace HybridOps.Postgres.Hosts;

/// <summary>
/// Services on one host, through its <see cref="IHostExecutor"/>: the only way a module starts or
/// stops a daemon (no module signals a pid). Start is idempotent: an already running service is left
/// running (its definition is updated for the next start; use <see cref="RestartAsync"/> to apply it).
/// </summary>
public interface IServiceManager
{
    SiteHost Host { get; }

    /// <summary>Writes the service's definition on the host and starts it unless it runs; returns the status after.</summary>
    Task<ServiceStatus> StartAsync(ServiceUnit unit, CancellationToken ct);

    /// <summary>SIGTERM, up to <paramref name="timeout"/> to exit, then SIGKILL. A service that is not running (or unknown) is fine.</summary>
    Task StopAsync(string name, TimeSpan timeout, CancellationToken ct);

    /// <summary>Stop (as <see cref="StopAsync"/>) then start with <paramref name="unit"/>'s definition.</summary>
    Task<ServiceStatus> RestartAsync(ServiceUnit unit, TimeSpan stopTimeout, CancellationToken ct);

    Task<ServiceStatus> StatusAsync(string name, CancellationToken ct);

    /// <summary>Stops the service (as <see cref="StopAsync"/>) and deletes its definition from the host; an unknown service is fine.</summary>
    Task RemoveAsync(string name, TimeSpan stopTimeout, CancellationToken ct);
}
