using System.Globalization;
using HybridOps.Lab.Hosts;

namespace HybridOps.Lab.Site;

/// <summary>
/// Which lab host runs what: `etcd` (the on-prem DCS), `pg1`..`pgN` (Patroni + PostgreSQL 15 in
/// Debian's layout), `dns` (PowerDNS), then the DR site's hosts: `dr-etcd` (its DCS) and `dr1`..`drM`
/// (empty database hosts a restore turns into a cluster) and, with them, `managed` (the managed-PostgreSQL
/// provider's host: the premium lane's standby), and with object stores `objstore` (Azurite and s3rver).
/// Host order fixes the addresses: etcd .16k+2, pg1 .16k+3, …; the DR, managed and objstore hosts come
/// last so the on-prem addresses do not depend on them.
/// </summary>
public sealed record SiteLabPlan(int Block, int MemberCount, bool WithDns, int DrMemberCount = 0, bool WithObjectStore = false)
{
    public const string ObjectStoreHost = "objstore";
    public const string EtcdHost = "etcd";
    public const string DnsHost = "dns";
    public const string DrEtcdHost = "dr-etcd";
    public const string DrSite = "gcp-dr";
    public const string ManagedHost = "managed";
    public const int PostgresPort = 5432;
    public const int RestApiPort = 8008;
    public const int EtcdClientPort = 2379;
    public const int EtcdPeerPort = 2380;
    public const int DnsPort = 53;
    public const int DnsApiPort = 8081;

    public LabAddressPlan Addresses { get; } = new(Block);

    public IReadOnlyList<string> MemberNames => [.. Enumerable.Range(1, MemberCount).Select(i => $"pg{i.ToString(CultureInfo.InvariantCulture)}")];

    public IReadOnlyList<string> DrMemberNames => [.. Enumerable.Range(1, DrMemberCount).Select(i => $"dr{i.ToString(CultureInfo.InvariantCulture)}")];

    /// <summary>The DR site's hosts: its etcd and its database hosts (none when <see cref="DrMemberCount"/> is 0).</summary>
    public IReadOnlyList<string> DrHostNames => DrMemberCount == 0 ? [] : [DrEtcdHost, .. DrMemberNames];

    /// <summary>The managed provider's host (present with the DR site).</summary>
    public IReadOnlyList<string> ManagedHostNames => DrMemberCount == 0 ? [] : [ManagedHost];

    /// <summary>Every host, in address order.</summary>
    public IReadOnlyList<string> HostNames => [EtcdHost, .. MemberNames, .. (WithDns ? new[] { DnsHost } : []), .. DrHostNames, .. ManagedHostNames, .. (WithObjectStore ? new[] { ObjectStoreHost } : [])];

    /// <summary>The site network every host sits on (pg_hba admits it, and nothing wider).</summary>
    public string Network => $"{LabAddressPlan.Prefix}.{(16 * Block).ToString(CultureInfo.InvariantCulture)}/{LabAddressPlan.PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    public string AddressOf(string host)
    {
        var index = HostNames.ToList().IndexOf(host);
        return index < 0 ? throw new ArgumentException($"no lab host '{host}'", nameof(host)) : Addresses.HostAddress(index);
    }

    public string EtcdClientUrl => EtcdClientUrlOf(EtcdHost);

    /// <summary>The on-prem etcd serves http; the DR site's serves https with a certificate of its own lab CA (both kinds a site may run).</summary>
    public string EtcdClientUrlOf(string host) => $"{(host == DrEtcdHost ? "https" : "http")}://{AddressOf(host)}:{EtcdClientPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The CA certificate of the DR site's etcd on this machine (what the dr-hosts contract's etcd_ca_file names).</summary>
    public static string DrEtcdCaFile(string labDir) => Path.Combine(labDir, "dr-etcd-tls", "ca.crt");

    public IReadOnlyList<LabMember> Members => [.. MemberNames.Select(n => new LabMember(n, AddressOf(n), PostgresPort, RestApiPort))];

    public IReadOnlyList<LabMember> DrMembers => [.. DrMemberNames.Select(n => new LabMember(n, AddressOf(n), PostgresPort, RestApiPort))];

    public string DnsApiUrl => $"http://{AddressOf(DnsHost)}:{DnsApiPort.ToString(CultureInfo.InvariantCulture)}";
}
