namespace HybridOps.Postgres.Hosts;

/// <summary>What the service manager of a host says about one service.</summary>
/// <param name="Active">Running now.</param>
/// <param name="MainPid">The service's main pid on the host, when running (for evidence; never to be signalled).</param>
/// <param name="Detail">The manager's own words (systemd ActiveState/SubState, start-stop-daemon's status).</param>
public sealed record ServiceStatus(string Name, bool Active, int? MainPid, string Detail);
