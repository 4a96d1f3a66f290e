namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>Groups, their parents, vars and hosts as read from an Ansible inventory; `all` is every group's root.</summary>
internal sealed class AnsibleGroups
{
    private static readonly Dictionary<string, string> None = [];

    public Dictionary<string, AnsibleGroup> Groups { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Dictionary<string, string>> HostVarsByHost { get; } = new(StringComparer.Ordinal);

    public AnsibleGroup Group(string name)
    {
        if (!Groups.TryGetValue(name, out var g))
        {
            Groups[name] = g = new AnsibleGroup();
        }

        return g;
    }

    public Dictionary<string, string> HostVars(string host)
    {
        if (!HostVarsByHost.TryGetValue(host, out var v))
        {
            HostVarsByHost[host] = v = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return v;
    }

    /// <summary>Hosts of the group and of its child groups, in file order, each once.</summary>
    public List<string> HostsOf(string group)
    {
        var hosts = new List<string>();
        void Walk(string g, HashSet<string> seen)
        {
            if (!seen.Add(g))
            {
                return;
            }

            hosts.AddRange(Groups[g].Hosts.Where(h => !hosts.Contains(h)));
            foreach (var (child, cg) in Groups.Where(kv => kv.Value.Parents.Contains(g)))
            {
                Walk(child, seen);
            }
        }

        Walk(group, new HashSet<string>(StringComparer.Ordinal));
        return hosts;
    }

    /// <summary>all &lt; ancestors (farthest first) &lt; the groups holding the host &lt; host vars.</summary>
    public Dictionary<string, string> VarsFor(string host, string group)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var chain = new List<string>();
        void Up(string g)
        {
            if (chain.Contains(g) || !Groups.TryGetValue(g, out var grp))
            {
                return;
            }

            foreach (var p in grp.Parents)
            {
                Up(p);
            }

            chain.Add(g);
        }

        if (Groups.ContainsKey("all"))
        {
            Up("all");
        }

        foreach (var (name, g) in Groups.Where(kv => kv.Value.Hosts.Contains(host)))
        {
            Up(name);
        }

        foreach (var g in chain)
        {
            foreach (var (k, v) in Groups[g].Vars)
            {
                vars[k] = v;
            }
        }

        foreach (var (k, v) in HostVarsByHost.GetValueOrDefault(host) ?? None)
        {
            vars[k] = v;
        }

        return vars;
    }
}
