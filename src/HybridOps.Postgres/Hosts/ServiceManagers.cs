namespace HybridOps.Postgres.Hosts;

/// <summary>Picks a host's service manager by the inventory's kind.</summary>
public static class ServiceManagers
{
    public const string Systemd = "systemd";
    public const string StartStopDaemon = "start-stop-daemon";

    public static IServiceManager Create(string kind, IHostExecutor executor) => kind switch
    {
        Systemd => new SystemdServiceManager(executor),
        StartStopDaemon => new StartStopDaemonServiceManager(executor),
        _ => throw new ArgumentException($"service manager '{kind}' is not one of {Systemd}, {StartStopDaemon}", nameof(kind)),
    };
}
