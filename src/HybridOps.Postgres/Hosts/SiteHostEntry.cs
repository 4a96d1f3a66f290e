using System.Text.Json.Nodes;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// A host as inventories and contracts publish it: {name, host, ssh{transport, port, user, jump_host,
/// identity_file, known_hosts_file, config_file}, become, service_user, service_manager}. No secret is
/// part of it.
/// </summary>
public static class SiteHostEntry
{
    public static SiteHost Parse(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var ssh = entry["ssh"] as JsonObject;
        return new SiteHost(Str(entry, "name") ?? throw new ArgumentException("a host entry needs a name", nameof(entry)),
            Str(entry, "host") ?? throw new ArgumentException($"host entry {Str(entry, "name")} needs a host (its address)", nameof(entry)))
        {
            SshPort = ssh?["port"] is JsonValue p && p.TryGetValue<int>(out var port) ? port : 22,
            SshUser = Str(ssh, "user"),
            JumpHost = Str(ssh, "jump_host"),
            IdentityFile = Str(ssh, "identity_file"),
            KnownHostsFile = Str(ssh, "known_hosts_file"),
            SshConfigFile = Str(ssh, "config_file"),
            Become = Str(entry, "become") == "none" ? BecomeMethod.None : BecomeMethod.Sudo,
            ServiceUser = Str(entry, "service_user") ?? "postgres",
            Transport = SiteHost.SshTransport,
        };
    }

    /// <summary>The entry's service manager (start-stop-daemon or systemd), systemd when not given.</summary>
    public static string ServiceManager(JsonObject entry) => Str(entry, "service_manager") ?? ServiceManagers.Systemd;

    private static string? Str(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
