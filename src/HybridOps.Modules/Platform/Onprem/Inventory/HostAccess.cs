using System.Text.Json.Nodes;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>
/// How hyops reaches a host: `ssh` through the OpenSSH client (user/port/jump host/identity/known_hosts;
/// anything left out comes from the operator's ssh_config), or `local` for hyops' own machine; the
/// become method to the service user (`sudo` = `sudo -n -u postgres`, `none` = the login user IS the
/// service user); and the host's service manager (`none`: hyops does not manage services on it).
/// </summary>
internal sealed record HostAccess(
    string Transport,
    string? User,
    int Port,
    string? JumpHost,
    string? IdentityFile,
    string? KnownHostsFile,
    string? ConfigFile,
    string Become,
    string ServiceUser,
    string ServiceManager)
{
    public static readonly string[] Transports = ["ssh", "local"];
    public static readonly string[] BecomeMethods = ["sudo", "none"];
    public static readonly string[] ServiceManagers = ["systemd", "start-stop-daemon", "none"];

    public static HostAccess Parse(string member, JsonObject? ssh, string? become, string? serviceUser, string? serviceManager)
    {
        var transport = ssh.Str("transport") ?? "ssh";
        var port = ssh.Int("port") ?? 22;
        become ??= "sudo";
        serviceManager ??= "systemd";
        if (!Transports.Contains(transport))
        {
            throw InventoryHost.Invalid(member, $"ssh.transport '{transport}' is not one of {string.Join(", ", Transports)}");
        }

        if (port is < 1 or > 65535)
        {
            throw InventoryHost.Invalid(member, $"ssh.port {port} is not a TCP port");
        }

        if (!BecomeMethods.Contains(become))
        {
            throw InventoryHost.Invalid(member, $"become '{become}' is not one of {string.Join(", ", BecomeMethods)} (sudo = `sudo -n -u <service_user>`; none = log in as the service user)");
        }

        if (!ServiceManagers.Contains(serviceManager))
        {
            throw InventoryHost.Invalid(member, $"service_manager '{serviceManager}' is not one of {string.Join(", ", ServiceManagers)}");
        }

        foreach (var key in new[] { "identity_file", "known_hosts_file", "config_file" })
        {
            if (ssh.Str(key) is { } path && !Path.IsPathRooted(path) && !path.StartsWith('~'))
            {
                throw InventoryHost.Invalid(member, $"ssh.{key} '{path}' must be an absolute path (or start with ~)");
            }
        }

        return new HostAccess(transport, ssh.Str("user"), port, ssh.Str("jump_host"), ssh.Str("identity_file"),
            ssh.Str("known_hosts_file"), ssh.Str("config_file"), become, serviceUser ?? "postgres", serviceManager);
    }

    public JsonObject SshJson() => new()
    {
        ["transport"] = Transport,
        ["user"] = User,
        ["port"] = Port,
        ["jump_host"] = JumpHost,
        ["identity_file"] = IdentityFile,
        ["known_hosts_file"] = KnownHostsFile,
        ["config_file"] = ConfigFile,
    };
}
