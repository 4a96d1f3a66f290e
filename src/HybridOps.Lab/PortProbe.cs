using System.Net;
using System.Net.Sockets;

namespace HybridOps.Lab;

/// <summary>
/// Detects an address:port already taken (another lab with the same prefix, a system PostgreSQL)
/// before we start a daemon, so `up` fails with a clear message instead of a crash-looping Patroni.
/// </summary>
internal static class PortProbe
{
    public static bool IsInUse(string host, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(host), port);
            listener.Start();
            listener.Stop();
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public static void EnsureFree(string what, string host, params int[] ports)
    {
        var taken = ports.Where(p => IsInUse(host, p)).ToList();
        if (taken.Count > 0)
        {
            throw new InvalidOperationException(
                $"{what}: {host}:{string.Join(",", taken)} is already in use by a process this lab did not start "
                + "(another lab on the same address prefix?). Stop it or choose another LabTopology.AddressPrefix.");
        }
    }
}
