namespace HybridOps.Lab;

/// <summary>
/// One daemon the lab started, as recorded in lab.json. <see cref="Marker"/> is a string that must
/// appear in the live process's argv (its config file or data dir) before we signal the pid, so a
/// recycled pid belonging to something else is never touched.
/// </summary>
/// <param name="Name">"etcd" or the member name.</param>
/// <param name="Kind">"etcd" or "patroni".</param>
/// <param name="Pid">Null once stopped.</param>
public sealed record LabProcessRecord(
    string Name,
    string Kind,
    int? Pid,
    string Marker,
    string LogFile,
    DateTimeOffset? StartedAt);
