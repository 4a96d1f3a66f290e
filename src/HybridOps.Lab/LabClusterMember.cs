namespace HybridOps.Lab;

/// <summary>
/// One member as Patroni's GET /cluster reports it. Patroni 3.0.2 reports replicas as state
/// "running" (the "streaming" state only appeared in later Patroni versions); <see cref="LagBytes"/>
/// is null when Patroni says "unknown". Whether WAL is really streaming comes from the leader's
/// pg_stat_replication (<see cref="Streaming"/>).
/// </summary>
public sealed record LabClusterMember(
    string Name,
    string? Host,
    int? Port,
    string Role,
    string State,
    int? Timeline,
    long? LagBytes,
    bool Streaming)
{
    public bool IsLeader => Role is "leader" or "standby_leader";

    public bool IsRunning => State is "running" or "streaming";
}
