using System.Globalization;
using HybridOps.Postgres.Dns;

namespace HybridOps.Lab;

/// <summary>
/// The lab's DNS host: waits for the PowerDNS API, then makes sure zone hyops.lab. exists (SOA/NS,
/// ns1 A, and db.hyops.lab. A pointing at the on-prem leader). An existing zone is left as it is,
/// so a reconciling `up` never moves a record a module published.
/// </summary>
internal static class LabDns
{
    public static async Task EnsureZoneAsync(
        string apiUrl, string dnsHost, int dnsPort, string apiKey, string leaderHost, Func<string, Func<Task<bool>>, Task> waitAsync, CancellationToken ct)
    {
        var client = PowerDnsClient.Create(apiUrl, "localhost", apiKey, TimeSpan.FromSeconds(2));
        await waitAsync("PowerDNS API", async () =>
        {
            try
            {
                await client.GetZoneAsync(LabTopology.DnsZone, ct);
                return true;
            }
            catch (PowerDnsException ex) when (ex.Unreachable)
            {
                return false;
            }
        });

        try
        {
            if (await client.GetZoneAsync(LabTopology.DnsZone, ct) is null)
            {
                await client.CreateZoneAsync(LabTopology.DnsZone, ["ns1." + LabTopology.DnsZone],
                    new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["ns1." + LabTopology.DnsZone] = dnsHost,
                        [LabTopology.ServiceRecord] = leaderHost,
                    }, 30, ct);
            }
        }
        catch (PowerDnsException ex)
        {
            throw new InvalidOperationException($"lab DNS site: {ex.Message}", ex);
        }

        await waitAsync($"{LabTopology.ServiceRecord} served by {dnsHost}:{dnsPort.ToString(CultureInfo.InvariantCulture)}", async () =>
            (await DnsQuery.QueryAAsync(dnsHost, dnsPort, LabTopology.ServiceRecord, TimeSpan.FromSeconds(1), ct))?.Addresses.Count > 0);
    }
}
