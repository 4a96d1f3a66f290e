using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>
/// Reads the Ansible inventory an operator already keeps (YAML or INI) and turns the hosts of one
/// group into inventory members. Variables follow Ansible's precedence in its simple form: `all`
/// vars, then each ancestor group's, then the group's, then the host's own.
/// Mapped: ansible_host/ansible_ssh_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
/// ProxyJump (-J or -o ProxyJump= in ansible_ssh_common_args/extra_args), ansible_connection=local,
/// ansible_become(_method/_user); hyops' own: postgresql_port, patroni_restapi_port/url.
/// </summary>
internal static partial class AnsibleInventory
{
    public static List<JsonObject> Members(string path, string group)
    {
        if (!File.Exists(path))
        {
            throw Invalid(path, "does not exist");
        }

        var text = File.ReadAllText(path);
        var inventory = LooksLikeYaml(path, text) ? ParseYaml(path, text) : ParseIni(path, text);
        if (!inventory.Groups.ContainsKey(group))
        {
            throw Invalid(path, $"has no group '{group}' (groups: {string.Join(", ", inventory.Groups.Keys.Order(StringComparer.Ordinal))})");
        }

        var members = new List<JsonObject>();
        foreach (var host in inventory.HostsOf(group))
        {
            members.Add(ToMember(path, host, inventory.VarsFor(host, group)));
        }

        if (members.Count == 0)
        {
            throw Invalid(path, $"group '{group}' has no hosts");
        }

        return members;
    }

    private static JsonObject ToMember(string path, string host, IReadOnlyDictionary<string, string> v)
    {
        string? Get(params string[] keys) => keys.Select(k => v.GetValueOrDefault(k)).FirstOrDefault(x => !string.IsNullOrEmpty(x));
        int? Port(params string[] keys) => Get(keys) is { } s ? int.TryParse(s, out var p) ? p : throw Invalid(path, $"host '{host}': {keys[0]} '{s}' is not a number") : null;

        var address = Get("ansible_host", "ansible_ssh_host") ?? host;
        var becomeMethod = Get("ansible_become_method") ?? "sudo";
        if (becomeMethod != "sudo")
        {
            throw Invalid(path, $"host '{host}': ansible_become_method '{becomeMethod}' is not supported (hyops becomes the service user with sudo, or logs in as it)");
        }

        var user = Get("ansible_user", "ansible_ssh_user");
        var become = IsTrue(Get("ansible_become")) || user is not ("postgres" or null) ? "sudo" : user == "postgres" ? "none" : "sudo";
        var api = Get("patroni_restapi_url") ?? $"http://{address}:{Port("patroni_restapi_port") ?? 8008}";
        return new JsonObject
        {
            ["name"] = host,
            ["host"] = address,
            ["pg_port"] = Port("postgresql_port", "patroni_postgresql_port") ?? 5432,
            ["api_url"] = api,
            ["become"] = become,
            ["service_user"] = Get("ansible_become_user") ?? "postgres",
            ["ssh"] = new JsonObject
            {
                ["transport"] = Get("ansible_connection") == "local" ? "local" : "ssh",
                ["user"] = user,
                ["port"] = Port("ansible_port", "ansible_ssh_port") ?? 22,
                ["identity_file"] = Get("ansible_ssh_private_key_file", "ansible_private_key_file"),
                ["jump_host"] = JumpHost(Get("ansible_ssh_common_args") + " " + Get("ansible_ssh_extra_args")),
            },
        };
    }

    private static string? JumpHost(string args)
    {
        var m = JumpPattern().Match(args);
        return m.Success ? m.Groups["j"].Value.Trim('\'', '"') : null;
    }

    [GeneratedRegex(@"(?:-J\s+|ProxyJump[= ])(?<j>[^\s'""]+)")]
    private static partial Regex JumpPattern();

    private static bool IsTrue(string? s) => s is not null && (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s == "yes" || s == "1");

    private static bool LooksLikeYaml(string path, string text) =>
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        || text.TrimStart().StartsWith("all:", StringComparison.Ordinal) || text.TrimStart().StartsWith("---", StringComparison.Ordinal);

    private static AnsibleGroups ParseYaml(string path, string text)
    {
        var groups = new AnsibleGroups();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Invalid(path, $"is not valid YAML at line {e.Start.Line}: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Invalid(path, "is empty or not a mapping of groups");
        }

        foreach (var (key, value) in root.Children)
        {
            ReadYamlGroup(path, groups, Scalar(key), value as YamlMappingNode, parent: null);
        }

        return groups;
    }

    private static void ReadYamlGroup(string path, AnsibleGroups groups, string name, YamlMappingNode? node, string? parent)
    {
        var group = groups.Group(name);
        if (parent is not null)
        {
            group.Parents.Add(parent);
        }

        if (node is null)
        {
            return;
        }

        foreach (var (key, value) in node.Children)
        {
            switch (Scalar(key))
            {
                case "hosts" when value is YamlMappingNode hosts:
                    foreach (var (h, vars) in hosts.Children)
                    {
                        var host = Scalar(h);
                        group.Hosts.Add(host);
                        if (vars is YamlMappingNode hostVars)
                        {
                            foreach (var (k, val) in hostVars.Children)
                            {
                                groups.HostVars(host)[Scalar(k)] = Scalar(val);
                            }
                        }
                    }

                    break;
                case "vars" when value is YamlMappingNode vars:
                    foreach (var (k, val) in vars.Children)
                    {
                        group.Vars[Scalar(k)] = Scalar(val);
                    }

                    break;
                case "children" when value is YamlMappingNode children:
                    foreach (var (c, child) in children.Children)
                    {
                        ReadYamlGroup(path, groups, Scalar(c), child as YamlMappingNode, name);
                    }

                    break;
                case "hosts" or "vars" or "children":
                    break;
                default:
                    throw Invalid(path, $"group '{name}' has an unknown key '{Scalar(key)}' at line {key.Start.Line} (expected hosts, vars, children)");
            }
        }
    }

    private static AnsibleGroups ParseIni(string path, string text)
    {
        var groups = new AnsibleGroups();
        var section = "ungrouped";
        var kind = "hosts";
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                if (!line.EndsWith(']'))
                {
                    throw Invalid(path, $"line {lineNo}: section header '{line}' has no closing ]");
                }

                var header = line[1..^1];
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                (section, kind) = colon < 0 ? (header, "hosts") : (header[..colon], header[(colon + 1)..]);
                if (kind is not ("hosts" or "vars" or "children"))
                {
                    throw Invalid(path, $"line {lineNo}: section suffix ':{kind}' is not :vars or :children");
                }

                groups.Group(section);
                continue;
            }

            var tokens = Tokens(line);
            switch (kind)
            {
                case "vars":
                    var eq = line.IndexOf('=', StringComparison.Ordinal);
                    if (eq < 0)
                    {
                        throw Invalid(path, $"line {lineNo}: '{line}' in [{section}:vars] is not key=value");
                    }

                    groups.Group(section).Vars[line[..eq].Trim()] = Unquote(line[(eq + 1)..].Trim());
                    break;
                case "children":
                    groups.Group(tokens[0]).Parents.Add(section);
                    break;
                default:
                    var host = tokens[0];
                    groups.Group(section).Hosts.Add(host);
                    foreach (var t in tokens.Skip(1))
                    {
                        var i = t.IndexOf('=', StringComparison.Ordinal);
                        if (i <= 0)
                        {
                            throw Invalid(path, $"line {lineNo}: '{t}' after host '{host}' is not key=value");
                        }

                        groups.HostVars(host)[t[..i]] = Unquote(t[(i + 1)..]);
                    }

                    break;
            }
        }

        return groups;
    }

    /// <summary>Splits on whitespace outside quotes, so ansible_ssh_common_args='-o ProxyJump=b' stays one token.</summary>
    private static List<string> Tokens(string line)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is null && c is '\'' or '"')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else if (quote is null && char.IsWhiteSpace(c))
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }

                continue;
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] is '\'' or '"' && s[^1] == s[0] ? s[1..^1] : s;

    private static string Scalar(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : node.ToString();

    private static HyopsException Invalid(string path, string what) =>
        HyopsException.From(DiagnosticCatalog.AnsibleInventoryInvalid, $"Ansible inventory '{path}' {what}");
}
