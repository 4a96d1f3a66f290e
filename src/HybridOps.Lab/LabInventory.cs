using System.Text.Json.Nodes;

namespace HybridOps.Lab;

/// <summary>What modules consume about the lab site (through state). No secrets, by construction.</summary>
public sealed record LabInventory(
    string Site,
    string ClusterName,
    IReadOnlyList<string> EtcdEndpoints,
    IReadOnlyList<LabMember> Members,
    string SuperuserName,
    string ReplicationUserName,
    string LabDir)
{
    /// <summary>The DNS site, when the lab runs one (PowerDNS authority for <see cref="LabTopology.DnsZone"/>).</summary>
    public LabDnsSite? Dns { get; init; }

    /// <summary>The object-store site (Azurite, s3rver), when the lab runs one; empty otherwise.</summary>
    public IReadOnlyList<LabObjectStoreSite> ObjectStores { get; init; } = [];

    internal static LabInventory From(LabState state) => new(
        state.Site,
        state.ClusterName,
        [state.Topology.EtcdClientUrl],
        state.Topology.Members,
        LabOptions.SuperuserName,
        LabOptions.ReplicationUserName,
        state.LabDir)
    {
        Dns = state.Process("pdns") is null
            ? null
            : new LabDnsSite(state.Topology.DnsApiUrl, "localhost", LabTopology.DnsZone, state.Topology.DnsHost, state.Topology.DnsPort, LabTopology.ServiceRecord),
        ObjectStores = state.Process(LabObjectStores.AzuriteName) is null ? [] : LabObjectStores.Sites(state.Topology, new LabLayout(state.LabDir)),
    };

    /// <summary>snake_case JSON, e.g. {"site":"onprem","cluster_name":...,"members":[{"name","host","pg_port","api_url"}]}.</summary>
    public JsonObject ToJson()
    {
        var members = new JsonArray();

        // The loopback lab's members are processes of this machine: the local transport, no service
        // manager, and the lab's own per-member layout (every member shares the machine's filesystem).
        var layout = new LabLayout(LabDir);
        foreach (var m in Members)
        {
            members.Add((JsonNode)new JsonObject
            {
                ["name"] = m.Name,
                ["host"] = m.Host,
                ["pg_port"] = m.PostgresPort,
                ["api_url"] = m.ApiUrl,
                ["ssh"] = new JsonObject { ["transport"] = "local" },
                ["become"] = "sudo",
                ["service_manager"] = "none",
                ["postgres"] = new JsonObject
                {
                    ["data_dir"] = layout.DataDir(m.Name),
                    ["socket_dir"] = layout.SocketDir(m.Name),
                    ["config_dir"] = layout.MemberDir(m.Name),
                },
            });
        }

        return new JsonObject
        {
            ["site"] = Site,
            ["cluster_name"] = ClusterName,
            ["etcd_endpoints"] = new JsonArray([.. EtcdEndpoints.Select(e => (JsonNode)JsonValue.Create(e))]),
            ["members"] = members,
            ["superuser"] = SuperuserName,
            ["replication_user"] = ReplicationUserName,
            // What a real site publishes too: where hyops keeps this site's work files and where a failback
            // rebuild goes; plus the root of the local provider, whose simulated sites live beside the lab.
            ["work_root"] = LabDir,
            ["rebuild_root"] = Path.Combine(LabDir, "rebuild"),
            ["local_provider_root"] = LabDir,
        };
    }
}
