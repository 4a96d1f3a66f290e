using System.Net;

namespace HybridOps.Postgres.Sql;

/// <summary>
/// One pg_hba rule as a comparable value: connection type, databases, users, network, method.
/// Built from a DCS pg_hba line ("host db user 10.0.0.0/24 scram-sha-256") or from a row of
/// pg_hba_file_rules, so what Patroni was told and what a member loaded can be compared.
/// </summary>
public sealed record HbaLine(string Type, string Database, string User, string? Network, string Method)
{
    /// <summary>Parses the simple one-database, one-user form hyops writes; null for other shapes.</summary>
    public static HbaLine? Parse(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0].StartsWith('#'))
        {
            return null;
        }

        return parts[0] switch
        {
            "local" when parts.Length >= 4 => new HbaLine("local", parts[1], parts[2], null, parts[3]),
            "host" or "hostssl" or "hostnossl" when parts.Length >= 5 && Cidr.TryParse(parts[3], out var net) =>
                new HbaLine(parts[0], parts[1], parts[2], net.ToString(), parts[4]),
            _ => null,
        };
    }

    /// <summary>A row of pg_hba_file_rules (address + netmask) as an HbaLine.</summary>
    public static HbaLine FromFileRule(string type, string[] databases, string[] users, string? address, string? netmask, string method)
    {
        string? network = null;
        if (address is not null && IPAddress.TryParse(address, out var ip))
        {
            var prefix = netmask is not null && IPAddress.TryParse(netmask, out var mask) ? Cidr.MaskLength(mask) : ip.GetAddressBytes().Length * 8;
            network = new Cidr(ip, prefix).ToString();
        }
        else if (address is not null)
        {
            network = address;
        }

        return new HbaLine(type, string.Join(',', databases), string.Join(',', users), network, method);
    }

    public string ToConfLine() => Network is null ? $"{Type} {Database} {User} {Method}" : $"{Type} {Database} {User} {Network} {Method}";
}
