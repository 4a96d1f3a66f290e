namespace HybridOps.Lab;

/// <summary>
/// Liveness of one lab process, checked by pid (and argv identity), never by name.
/// Kind is "etcd", "patroni" or "postgres" (the postmaster, found through postmaster.pid).
/// </summary>
public sealed record LabProcessStatus(string Name, string Kind, int? Pid, bool Alive);
