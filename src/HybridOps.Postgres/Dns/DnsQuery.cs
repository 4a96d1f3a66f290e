using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace HybridOps.Postgres.Dns;

/// <summary>The answer of one DNS query: the response code and the A records in the answer section.</summary>
/// <param name="ResponseCode">0 NOERROR, 3 NXDOMAIN, ...</param>
/// <param name="Addresses">IPv4 addresses of the A records for the name, in answer order.</param>
public sealed record DnsAnswer(int ResponseCode, IReadOnlyList<string> Addresses)
{
    public bool IsNxDomain => ResponseCode == 3;
}

/// <summary>
/// A minimal DNS client (RFC 1035, UDP, type A): asks one server directly, like
/// <c>dig @server -p port +short name A</c>, so publication is verified by a real DNS answer and not
/// by the authority's API. No recursion, no caching.
/// </summary>
public static class DnsQuery
{
    private const ushort TypeA = 1;
    private const ushort ClassIn = 1;

    /// <summary>Queries <paramref name="fqdn"/> A at server:port; null when no answer came within <paramref name="timeout"/>.</summary>
    public static async Task<DnsAnswer?> QueryAAsync(string server, int port, string fqdn, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        ArgumentException.ThrowIfNullOrWhiteSpace(fqdn);
        var id = BinaryPrimitives.ReadUInt16BigEndian(RandomNumberGenerator.GetBytes(2));
        var query = BuildQuery(id, fqdn);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(IPAddress.Parse(server), port);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await udp.SendAsync(query, deadline.Token);
            while (true)
            {
                var response = await udp.ReceiveAsync(deadline.Token);
                if (Parse(response.Buffer, id, fqdn) is { } answer)
                {
                    return answer;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            // ICMP port unreachable surfaces as ConnectionRefused on a connected UDP socket: no server there.
            return null;
        }
    }

    internal static byte[] BuildQuery(ushort id, string fqdn)
    {
        var buffer = new List<byte>(64);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0x0000); // standard query, no recursion desired
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1);      // QDCOUNT
        buffer.AddRange(header.ToArray());
        foreach (var label in fqdn.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length is 0 or > 63)
            {
                throw new ArgumentException($"'{fqdn}' is not a valid domain name", nameof(fqdn));
            }

            buffer.Add((byte)bytes.Length);
            buffer.AddRange(bytes);
        }

        buffer.Add(0);
        buffer.AddRange([0, (byte)TypeA, 0, (byte)ClassIn]);
        return [.. buffer];
    }

    internal static DnsAnswer? Parse(byte[] message, ushort id, string fqdn)
    {
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message) != id)
        {
            return null;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        if ((flags & 0x8000) == 0)
        {
            return null; // not a response
        }

        var rcode = flags & 0x000F;
        var qd = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(4));
        var an = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(6));
        var offset = 12;
        for (var i = 0; i < qd; i++)
        {
            ReadName(message, ref offset);
            offset += 4;
        }

        var want = fqdn.TrimEnd('.');
        var addresses = new List<string>();
        for (var i = 0; i < an && offset + 10 <= message.Length; i++)
        {
            var name = ReadName(message, ref offset);
            var type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset));
            var length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 8));
            offset += 10;
            if (offset + length > message.Length)
            {
                break;
            }

            if (type == TypeA && length == 4 && string.Equals(name, want, StringComparison.OrdinalIgnoreCase))
            {
                addresses.Add(new IPAddress(message.AsSpan(offset, 4)).ToString());
            }

            offset += length;
        }

        return new DnsAnswer(rcode, addresses);
    }

    private static string ReadName(byte[] message, ref int offset)
    {
        var labels = new List<string>();
        var position = offset;
        var jumped = false;
        for (var hops = 0; hops < 64 && position < message.Length; hops++)
        {
            var length = message[position];
            if (length == 0)
            {
                position++;
                break;
            }

            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length)
                {
                    break;
                }

                var pointer = ((length & 0x3F) << 8) | message[position + 1];
                if (!jumped)
                {
                    offset = position + 2;
                }

                jumped = true;
                position = pointer;
                continue;
            }

            if (position + 1 + length > message.Length)
            {
                break;
            }

            labels.Add(Encoding.ASCII.GetString(message, position + 1, length));
            position += 1 + length;
        }

        if (!jumped)
        {
            offset = position;
        }

        return string.Join('.', labels);
    }
}
