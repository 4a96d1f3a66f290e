using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;

namespace HybridOps.Lab;

/// <summary>
/// Loopback addresses and ports of the lab. Every member gets its own 127.x address so all of them
/// can use the standard ports (5432/8008) like real hosts would. A test picks another
/// <see cref="AddressPrefix"/> (e.g. "127.0.21") so it never clashes with a developer's lab.
/// </summary>
/// <param name="AddressPrefix">First three octets; must be inside 127.0.0.0/8.</param>
public sealed record LabTopology(
    string AddressPrefix = "127.0.1",
    int EtcdClientPort = 2379,
    int EtcdPeerPort = 2380,
    int PostgresPort = 5432,
    int RestApiPort = 8008,
    int MemberCount = 3,
    int DnsPort = 53,
    int DnsApiPort = 8081)
{
    /// <summary>Zone the lab's DNS site is authoritative for.</summary>
    public const string DnsZone = "hyops.lab.";

    /// <summary>The service record pointing at the current primary.</summary>
    public const string ServiceRecord = "db.hyops.lab.";

    /// <summary>
    /// The DNS site's prefix: the site prefix with its third octet + 4 (127.0.1 -> 127.0.5, 127.0.45 -> 127.0.49).
    /// Injective, so every site prefix gets its own DNS address.
    /// </summary>
    [JsonIgnore]
    public string DnsPrefix
    {
        get
        {
            var parts = AddressPrefix.Split('.');
            return parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var third)
                ? $"{parts[0]}.{parts[1]}.{(third + 4).ToString(CultureInfo.InvariantCulture)}"
                : AddressPrefix;
        }
    }

    /// <summary>PowerDNS listens on dns prefix .1 (DNS on <see cref="DnsPort"/>, HTTP API on <see cref="DnsApiPort"/>).</summary>
    [JsonIgnore]
    public string DnsHost => $"{DnsPrefix}.1";

    [JsonIgnore]
    public string DnsApiUrl => $"http://{DnsHost}:{DnsApiPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The object-store site's prefix: the site prefix with its third octet + 3 (127.0.1 -> 127.0.4).
    /// Azurite (Azure Blob) listens on .1:10000, s3rver (S3) on .2:9000, both over TLS.
    /// </summary>
    [JsonIgnore]
    public string ObjectStorePrefix => Offset(3);

    [JsonIgnore]
    public string AzureHost => $"{ObjectStorePrefix}.1";

    [JsonIgnore]
    public string S3Host => $"{ObjectStorePrefix}.2";

    public const int AzurePort = 10000;

    public const int S3Port = 9000;

    /// <summary>etcd listens on prefix.1.</summary>
    [JsonIgnore]
    public string EtcdHost => Host(1);

    [JsonIgnore]
    public string EtcdClientUrl => $"http://{EtcdHost}:{EtcdClientPort.ToString(CultureInfo.InvariantCulture)}";

    [JsonIgnore]
    public string EtcdPeerUrl => $"http://{EtcdHost}:{EtcdPeerPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Members pg1..pgN on prefix.11, .12, ...; pg1 is bootstrapped first and becomes leader.</summary>
    [JsonIgnore]
    public IReadOnlyList<LabMember> Members =>
        [.. Enumerable.Range(1, MemberCount).Select(i => new LabMember($"pg{i}", Host(10 + i), PostgresPort, RestApiPort))];

    public LabMember Member(string name) =>
        Members.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"No lab member '{name}' (members: {string.Join(", ", Members.Select(m => m.Name))}).", nameof(name));

    /// <summary>Rejects anything that is not loopback: the lab must never listen on a real interface.</summary>
    public void Validate()
    {
        if (MemberCount is < 1 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(MemberCount), MemberCount, "A lab has 1 to 9 members.");
        }

        if (!IPAddress.TryParse(Host(1), out var address) || !IPAddress.IsLoopback(address)
            || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"Address prefix '{AddressPrefix}' is not a 127.0.0.0/8 prefix like '127.0.1'.", nameof(AddressPrefix));
        }

        if (!IPAddress.TryParse(DnsHost, out var dns) || !IPAddress.IsLoopback(dns) || DnsPrefix == AddressPrefix)
        {
            throw new ArgumentException($"Address prefix '{AddressPrefix}' leaves no room for the DNS site (third octet + 4 must be at most 255).", nameof(AddressPrefix));
        }
    }

    private string Offset(int add)
    {
        var parts = AddressPrefix.Split('.');
        return parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var third)
            ? $"{parts[0]}.{parts[1]}.{(third + add).ToString(CultureInfo.InvariantCulture)}"
            : AddressPrefix;
    }

    private string Host(int lastOctet) => $"{AddressPrefix}.{lastOctet.ToString(CultureInfo.InvariantCulture)}";
}
