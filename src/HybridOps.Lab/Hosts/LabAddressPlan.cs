using System.Globalization;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// The lab's address plan: 169.254.250.0/24 cut into /28 blocks. Block k (1..14) is one lab network:
/// bridge 169.254.250.(16k+1)/28 in the root namespace, hosts .16k+2 .. .16k+14, .16k+15 is the
/// broadcast. Block 0 (the network address) and block 15 (it holds .254) are never used.
/// </summary>
public sealed record LabAddressPlan(int Block)
{
    public const string Prefix = "169.254.250";
    public const int PrefixLength = 28;
    public const int MinBlock = 1;
    public const int MaxBlock = 14;

    /// <summary>At most this many hosts fit in one block.</summary>
    public const int MaxHosts = 13;

    /// <summary>Linux bridge in the root namespace (interface names are at most 15 characters).</summary>
    public string BridgeName => $"hyb{Block.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Address hyops uses (the bridge's); every host reaches it without a route.</summary>
    public string BridgeAddress => Address(1);

    /// <summary>Address of the host at <paramref name="index"/> (0-based) in the set.</summary>
    public string HostAddress(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxHosts);
        return Address(2 + index);
    }

    /// <summary>Every address a host of this block may hold (for the cleaner, which has no record).</summary>
    public IEnumerable<string> AllHostAddresses() => Enumerable.Range(0, MaxHosts).Select(HostAddress);

    /// <summary>Network namespace of a host: <c>hyops-&lt;block&gt;-&lt;name&gt;</c>.</summary>
    public string NamespaceName(string hostName) => $"{NamespacePrefix}{hostName}";

    /// <summary>Every lab namespace of this block starts with this (what the cleaner looks for).</summary>
    public string NamespacePrefix => $"hyops-{Block.ToString(CultureInfo.InvariantCulture)}-";

    /// <summary>Root-side end of a host's veth pair, named after the host's last octet (unique in the /24).</summary>
    public static string VethName(string address) => $"hyv{address[(address.LastIndexOf('.') + 1)..]}";

    private string Address(int offset) => $"{Prefix}.{(16 * Block + offset).ToString(CultureInfo.InvariantCulture)}";
}
