using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// The network side of lab hosts, all through iproute2: the block's bridge, each host's network
/// namespace and veth pair, and the blackhole routes of a partition. Each call is idempotent.
/// </summary>
internal sealed class LabHostNetwork(IProcessRunner runner)
{
    private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(20);

    public static bool LinkExists(string name) => Directory.Exists($"/sys/class/net/{name}");

    public static bool NamespaceExists(string netns) => File.Exists($"/run/netns/{netns}");

    public async Task EnsureBridgeAsync(LabAddressPlan plan, CancellationToken ct)
    {
        var lines = new List<string>();
        if (!LinkExists(plan.BridgeName))
        {
            lines.Add($"link add {plan.BridgeName} type bridge");
        }

        lines.Add($"addr replace {plan.BridgeAddress}/{LabAddressPlan.PrefixLength} dev {plan.BridgeName}");
        lines.Add($"link set {plan.BridgeName} up");
        await BatchAsync(null, lines, ct);
    }

    /// <summary>Namespace, veth pair (eth0 inside, the peer on the bridge), address, eth0 and lo up.</summary>
    public async Task EnsureHostAsync(LabAddressPlan plan, LabHostRecord host, CancellationToken ct)
    {
        var root = new List<string>();
        if (!NamespaceExists(host.Netns))
        {
            root.Add($"netns add {host.Netns}");
        }

        if (!LinkExists(host.Veth))
        {
            root.Add($"link add {host.Veth} type veth peer name eth0 netns {host.Netns}");
        }

        root.Add($"link set {host.Veth} master {plan.BridgeName} up");
        await BatchAsync(null, root, ct);
        await BatchAsync(host.Netns,
        [
            $"addr replace {host.Address}/{LabAddressPlan.PrefixLength} dev eth0",
            "link set eth0 up",
            "link set lo up",
        ], ct);
    }

    public async Task BlackholeAsync(string netns, IEnumerable<string> addresses, CancellationToken ct) =>
        await BatchAsync(netns, addresses.Select(a => $"route replace blackhole {a}/32").ToList(), ct);

    public async Task RemoveBlackholesAsync(string netns, CancellationToken ct)
    {
        if (NamespaceExists(netns))
        {
            (await RunAsync(["-n", netns, "route", "flush", "type", "blackhole"], ct)).EnsureSuccess();
        }
    }

    /// <summary>Deleting the root end removes the pair; a missing link is not an error.</summary>
    public async Task DeleteLinkAsync(string name, CancellationToken ct)
    {
        if (LinkExists(name))
        {
            var result = await RunAsync(["link", "del", name], ct);
            if (!result.Succeeded && LinkExists(name))
            {
                result.EnsureSuccess();
            }
        }
    }

    public async Task DeleteNamespaceAsync(string netns, CancellationToken ct)
    {
        if (NamespaceExists(netns))
        {
            (await RunAsync(["netns", "delete", netns], ct)).EnsureSuccess();
        }
    }

    /// <summary>Names of every network namespace (ip netns list prints "name" or "name (id: n)").</summary>
    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken ct)
    {
        var result = (await RunAsync(["netns", "list"], ct)).EnsureSuccess();
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .ToList();
    }

    /// <summary>Pids (root namespace) of every process in a network namespace.</summary>
    public async Task<IReadOnlyList<int>> NamespacePidsAsync(string netns, CancellationToken ct)
    {
        if (!NamespaceExists(netns))
        {
            return [];
        }

        var result = await RunAsync(["netns", "pids", netns], ct);
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .ToList();
    }

    private async Task BatchAsync(string? netns, IReadOnlyList<string> lines, CancellationToken ct)
    {
        if (lines.Count == 0)
        {
            return;
        }

        List<string> args = netns is null ? ["-batch", "-"] : ["-n", netns, "-batch", "-"];
        var spec = new ProcessSpec("ip", args, WorkingDirectory: "/", StdinText: string.Join('\n', lines) + "\n", Timeout: IpTimeout);
        var result = await runner.RunAsync(spec, ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({result.StdErr.Trim()}) for: {string.Join("; ", lines)}");
        }
    }

    private Task<ProcessResult> RunAsync(IReadOnlyList<string> args, CancellationToken ct) =>
        runner.RunAsync(new ProcessSpec("ip", args, WorkingDirectory: "/", Timeout: IpTimeout), ct);
}
