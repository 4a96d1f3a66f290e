using System.Text.Json.Nodes;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// Entry point of the embedded lab: a real on-prem site on loopback (one etcd, a 3-member
/// Patroni cluster of PostgreSQL 15). All state lives in the lab directory, so `down` and
/// `status` need only that path.
/// </summary>
public sealed class LabController(IProcessRunner? runner = null, TimeProvider? time = null)
{
    private readonly IProcessRunner _runner = runner ?? new LocalProcessRunner(time);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Brings the lab up (or reconciles a partially running one) and waits until exactly one leader
    /// is running and every replica streams on the leader's timeline. Returns immediately when the
    /// lab is already running and healthy. Progress lines look like "etcd healthy in 0.4s".
    /// </summary>
    public Task<LabInventory> UpAsync(LabOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LabStarter(_runner, _time).UpAsync(options, progress, ct);
    }

    /// <summary>Stops everything the lab started (Patroni, leftover postmasters, etcd), by pid.</summary>
    public Task DownAsync(string labDir, IProgress<string>? progress, CancellationToken ct) =>
        DownAsync(labDir, purge: false, progress, ct);

    /// <summary>As <see cref="DownAsync(string, IProgress{string}?, CancellationToken)"/>; <paramref name="purge"/> also deletes the lab directory.</summary>
    public Task DownAsync(string labDir, bool purge, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(labDir);
        return new LabStopper(_time).DownAsync(labDir, purge, progress, ct);
    }

    /// <summary>Per-process liveness by pid, plus Patroni's /cluster view when any member answers.</summary>
    public Task<LabStatus> StatusAsync(string labDir, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(labDir);
        return LabStatusReader.ReadAsync(labDir, ct);
    }

    /// <summary>The inventory of a lab recorded in <paramref name="labDir"/>, or null if there is none.</summary>
    public async Task<LabInventory?> InventoryAsync(string labDir, CancellationToken ct)
    {
        var state = await LabStateStore.LoadAsync(new LabLayout(labDir), ct);
        return state is null ? null : LabInventory.From(state);
    }

    /// <summary>
    /// Fault injection for tests: kills the member's Patroni (SIGKILL, so it cannot restart
    /// PostgreSQL) and then stops its postmaster with an immediate shutdown, by the pid in
    /// postmaster.pid. A stopped leader is replaced by a replica after the leader key ttl (10 s).
    /// </summary>
    public Task StopPostgresOfMemberAsync(string labDir, string member, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        return new LabStopper(_time).StopPostgresOfMemberAsync(labDir, member, ct);
    }

    /// <summary>
    /// Failback support: stops the lab's own Patroni + PostgreSQL members cleanly by recorded
    /// pid (argv checked), keeping etcd and PowerDNS, so a reseed can build a new cluster on the same hosts.
    /// </summary>
    public Task<IReadOnlyList<string>> StopDatabasesAsync(string labDir, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(labDir);
        return new LabStopper(_time).StopDatabasesAsync(labDir, ct);
    }

    /// <summary>
    /// The lab as a site provider: retires the database tier of the site <paramref name="inventory"/>
    /// describes when that site is a loopback lab this machine runs (its work_root holds a lab whose
    /// members are exactly the inventory's); null for any other site.
    /// </summary>
    public async Task<IReadOnlyList<string>?> RetireDatabaseTierAsync(JsonObject inventory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (inventory["work_root"]?.GetValue<string>() is not { Length: > 0 } dir || await LabStateStore.LoadAsync(new LabLayout(dir), ct) is not { } state)
        {
            return null;
        }

        var hosts = (inventory["members"] as JsonArray ?? []).Select(m => m?["host"]?.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var own = state.Topology.Members.Select(m => (string?)m.Host).Order(StringComparer.Ordinal).ToList();
        return hosts.SequenceEqual(own) ? await new LabStopper(_time).StopDatabasesAsync(dir, ct) : null;
    }

    /// <summary>
    /// Unplanned-scenario fault injection: SIGKILLs every on-prem Patroni, postmaster and the on-prem
    /// etcd at once (by recorded pid, argv checked); the DNS site stays up; lab.json records the site as failed.
    /// </summary>
    public Task<LabSiteResult> FailSiteAsync(string labDir, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(labDir);
        return new LabSiteFailure(_runner, _time).FailAsync(labDir, ct);
    }

    /// <summary>The failed site's hosts come back: starts the on-prem etcd only (not Patroni/PostgreSQL), so failback rebuilds the cluster deliberately.</summary>
    public Task<LabSiteResult> RepairSiteAsync(string labDir, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(labDir);
        return new LabSiteFailure(_runner, _time).RepairAsync(labDir, ct);
    }
}
