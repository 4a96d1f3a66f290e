using System.Text.Json.Nodes;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Modules.Common;

/// <summary>
/// The members of a site inventory (or the hosts of a dr-hosts contract) that hyops reaches over SSH, as <see cref="SiteHost"/>s, with their
/// published PostgreSQL layout. Null when any member is not an ssh host (a member on hyops' own
/// machine, executor local, keeps the local code path).
/// </summary>
internal sealed class InventoryHosts : IAsyncDisposable
{
    private readonly Dictionary<string, IHostExecutor> _executors = new(StringComparer.Ordinal);

    private InventoryHosts(IReadOnlyDictionary<string, (SiteHost Host, JsonObject Layout)> members) => Members = members;

    public IReadOnlyDictionary<string, (SiteHost Host, JsonObject Layout)> Members { get; }

    public static InventoryHosts? FromInventory(JsonObject? inventory)
    {
        // onprem-inventory/v1 lists members; dr-hosts/v1 lists hosts (the same shape when reached over ssh).
        var members = inventory.Objects("members").Concat(inventory.Objects("hosts")).ToList();
        if (members.Count == 0 || members.Any(m => (m["ssh"] as JsonObject).Str("transport") != SiteHost.SshTransport))
        {
            return null;
        }

        return new InventoryHosts(members.ToDictionary(m => m.Str("name")!, m => (ToSiteHost(m), m["postgres"] as JsonObject ?? new JsonObject()), StringComparer.Ordinal));
    }

    public static SiteHost ToSiteHost(JsonObject member) => SiteHostEntry.Parse(member);

    /// <summary>
    /// A <see cref="SocketTunnel"/> to the PostgreSQL unix socket in <paramref name="socketDir"/> (for <paramref name="port"/>)
    /// of an entry reached over ssh; null for an entry that is not (a member on this machine has its socket here).
    /// </summary>
    public static SocketTunnel? SocketTunnelTo(JsonObject? entry, string socketDir, int port) =>
        entry is not null && (entry["ssh"] as JsonObject).Str("transport") == SiteHost.SshTransport
            ? SocketTunnel.To(ToSiteHost(entry), $"{socketDir}/.s.PGSQL.{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
            : null;

    public IHostExecutor Executor(string member)
    {
        if (!_executors.TryGetValue(member, out var e))
        {
            _executors[member] = e = HostExecutors.Create(Members[member].Host);
        }

        return e;
    }

    public string Layout(string member, string key, string fallback) => Members[member].Layout.Str(key) ?? fallback;

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _executors.Values)
        {
            await e.DisposeAsync();
        }

        _executors.Clear();
    }
}
