namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>One Ansible group: its hosts in file order, its vars and its parent groups.</summary>
internal sealed class AnsibleGroup
{
    public List<string> Hosts { get; } = [];

    public Dictionary<string, string> Vars { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Parents { get; } = new(StringComparer.Ordinal);
}
