using System.Collections.Frozen;

namespace HybridOps.Core.Contracts;

/// <summary>
/// Compatibility with upstream HybridOps contracts (same hybridops/v1 format): its canonical module refs
/// that name a hyops module, its blueprint modes and step actions, and the upstream modules this build
/// does not ship (VM provisioning, networks and NAT, image templates, ...), which a blueprint may still
/// name: such a step is "provided outside hyops". Documented in docs/contracts.md.
/// </summary>
public static class Upstream
{
    /// <summary>Upstream module ref -> the hyops module that means the same.</summary>
    public static readonly FrozenDictionary<string, string> ModuleAliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["platform/postgresql-ha"] = "platform/onprem/postgresql-ha",
        ["platform/postgresql-ha-backup"] = "platform/onprem/postgresql-ha-backup",
        ["org/gcp/pgbackrest-repo"] = "org/gcp/object-repo",
        ["org/aws/pgbackrest-repo"] = "org/aws/object-repo",
        ["org/azure/pgbackrest-repo"] = "org/azure/object-repo",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Blueprint modes: hyops' own (dr, onprem, drill) and upstream's (bootstrap, authoritative, hybrid).</summary>
    public static readonly FrozenSet<string> Modes = new[] { "dr", "onprem", "drill", "bootstrap", "authoritative", "hybrid" }
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Upstream step actions that mean a hyops action.</summary>
    public static readonly FrozenDictionary<string, string> ActionAliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["apply"] = "deploy",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Upstream module refs this build does not ship.</summary>
    public static readonly FrozenSet<string> ProvidedOutside = new[]
    {
        "core/azure/nat-gateway",
        "core/azure/resource-group",
        "core/azure/vnet",
        "core/hetzner/vyos-image-register",
        "core/hetzner/vyos-image-seed",
        "core/onprem/network-sdn",
        "core/onprem/template-image",
        "core/onprem/vyos-template-import",
        "core/onprem/vyos-template-seed",
        "core/shared/vyos-image-artifact",
        "core/shared/vyos-image-build",
        "examples/core/hello-world",
        "org/gcp/gsm-eso-sa",
        "org/gcp/project-factory",
        "org/gcp/wan-cloud-nat",
        "org/gcp/wan-cloud-router",
        "org/gcp/wan-hub-network",
        "org/gcp/wan-vpn-to-edge",
        "org/hetzner/shared-control-host",
        "org/hetzner/shared-private-network",
        "org/hetzner/vyos-edge-foundation",
        "org/hetzner/wan-edge-foundation",
        "platform/azure/container-registry",
        "platform/gcp/gke-cluster",
        "platform/gcp/gke-kubeconfig",
        "platform/gcp/lab-network",
        "platform/gcp/platform-vm",
        "platform/gcp/vm-firewall-rules",
        "platform/k8s/argocd-bootstrap",
        "platform/k8s/gcp-secret-store",
        "platform/k8s/gsm-bootstrap",
        "platform/k8s/kube-dns-stub-domain",
        "platform/k8s/longhorn-dr-volume",
        "platform/k8s/runtime-bundle-secret",
        "platform/linux/containerlab-healthcheck",
        "platform/linux/containerlab-lab",
        "platform/linux/containerlab-recovery",
        "platform/linux/containerlab",
        "platform/linux/desktop-xrdp",
        "platform/linux/eve-ng-healthcheck",
        "platform/linux/eve-ng-images",
        "platform/linux/eve-ng-lab-archive",
        "platform/linux/eve-ng-labs",
        "platform/linux/eve-ng",
        "platform/linux/gns3-healthcheck",
        "platform/linux/gns3-images",
        "platform/linux/gns3-lab-archive",
        "platform/linux/gns3-server",
        "platform/linux/gns3-starter-lab",
        "platform/linux/ops-runner",
        "platform/network/cloudflare-traffic-steering",
        "platform/network/decision-consumer",
        "platform/network/decision-dispatcher",
        "platform/network/decision-executor",
        "platform/network/decision-service",
        "platform/network/edge-observability",
        "platform/network/vyos-edge-wan",
        "platform/network/vyos-site-extension-edge",
        "platform/network/vyos-site-extension-onprem",
        "platform/onprem/argocd-bootstrap",
        "platform/onprem/eve-ng",
        "platform/onprem/netbox-db-migrate",
        "platform/onprem/netbox",
        "platform/onprem/platform-vm",
        "platform/onprem/postgresql-core",
        "platform/onprem/rke2-cluster",
        "platform/onprem/rke2-etcd-member",
        "platform/onprem/vyos-edge",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The hyops module ref an upstream ref stands for, or the ref itself.</summary>
    public static string Canonical(string moduleRef) => ModuleAliases.TryGetValue(moduleRef, out var ours) ? ours : moduleRef;
}
