using System.Globalization;
using System.Net;

namespace HybridOps.Postgres.Sql;

/// <summary>An IPv4/IPv6 network in prefix form, normalized to its network address.</summary>
public sealed record Cidr
{
    public Cidr(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        Network = new IPAddress(bytes);
        PrefixLength = prefixLength;
    }

    public IPAddress Network { get; }
    public int PrefixLength { get; }
    public int Bits => Network.GetAddressBytes().Length * 8;

    /// <summary>Strict "address/prefix" (the prefix is required; host bits may be set and are masked).</summary>
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = null!;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(text[..slash], out var ip)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > ip.GetAddressBytes().Length * 8)
        {
            return false;
        }

        cidr = new Cidr(ip, prefix);
        return true;
    }

    public static int MaskLength(IPAddress mask) =>
        mask.GetAddressBytes().Sum(b => System.Numerics.BitOperations.PopCount(b));

    public static Cidr Host(string address) => new(IPAddress.Parse(address), IPAddress.Parse(address).GetAddressBytes().Length * 8);

    /// <summary>True when <paramref name="inner"/> lies entirely inside this network.</summary>
    public bool Contains(Cidr inner) =>
        inner.Bits == Bits && inner.PrefixLength >= PrefixLength && new Cidr(inner.Network, PrefixLength).Network.Equals(Network);

    public override string ToString() => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
