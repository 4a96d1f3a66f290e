using System.Text;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// The SSH material of a lab: one client key for hyops, one ed25519 host key per host (generated once,
/// kept in the host's /etc upper dir so it survives restarts and power cuts), each host's sshd_config and
/// authorized key, and the client's known_hosts and ssh_config.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LabHostSshFiles
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = PrivateFile | UnixFileMode.UserExecute;
    private const UnixFileMode PublicDir = PrivateDir | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static string HostKey(LabHostPaths paths, string name) => Path.Combine(paths.EtcUpper(name), "ssh", "ssh_host_ed25519_key");

    public static async Task EnsureClientKeyAsync(LabHostPaths paths, IProcessRunner runner, CancellationToken ct)
    {
        Directory.CreateDirectory(paths.SshDir, PrivateDir);
        await EnsureKeyAsync(paths.IdentityFile, "hyops-lab", runner, ct);
    }

    /// <summary>Host key (only when absent), sshd_config and root's authorized key in the host's /etc upper dir.</summary>
    public static async Task WriteHostAsync(LabHostPaths paths, string name, string address, IProcessRunner runner, CancellationToken ct)
    {
        var sshDir = Path.Combine(paths.EtcUpper(name), "ssh");
        Directory.CreateDirectory(sshDir, PublicDir);
        await EnsureKeyAsync(HostKey(paths, name), $"root@{name}", runner, ct);

        var keys = Path.Combine(sshDir, "authorized_keys");
        Directory.CreateDirectory(keys, PublicDir);
        WritePrivate(Path.Combine(keys, "root"), await File.ReadAllTextAsync(paths.IdentityFile + ".pub", ct));
        WritePrivate(Path.Combine(sshDir, "sshd_config"), SshdConfig(name, address));
    }

    public static string SshdConfig(string name, string address) => $"""
        # Written by hyops: sshd of lab host {name}. Lives only in this host's /etc overlay.
        ListenAddress {address}:22
        HostKey /etc/ssh/ssh_host_ed25519_key
        PidFile /run/sshd.pid
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        AuthorizedKeysFile /etc/ssh/authorized_keys/%u
        # System accounts are locked (no password): sshd without PAM would refuse keys for them.
        UsePAM yes
        UseDNS no
        PrintMotd no
        # hyops multiplexes many sessions over one connection per host.
        MaxSessions 64
        MaxStartups 64:30:128
        AcceptEnv LANG LC_*
        Subsystem sftp /usr/lib/openssh/sftp-server

        """;

    /// <summary>known_hosts (every host's key by address) and ssh_config (a Host entry per name).</summary>
    public static async Task WriteClientFilesAsync(LabHostPaths paths, int block, IEnumerable<LabHostRecord> hosts, CancellationToken ct)
    {
        var known = new StringBuilder();
        var config = new StringBuilder()
            .Append("# Written by hyops: lab hosts of block ").Append(block).Append(". Use as `ssh -F ").Append(paths.SshConfigFile).Append(" <host>`.\n");
        foreach (var host in hosts)
        {
            var key = (await File.ReadAllTextAsync(HostKey(paths, host.Name) + ".pub", ct)).Split(' ');
            known.Append(host.Address).Append(' ').Append(key[0]).Append(' ').Append(key[1]).Append('\n');
            config.Append($"""

                Host {host.Name}
                  HostName {host.Address}
                  User root
                  Port 22
                  IdentityFile {paths.IdentityFile}
                  UserKnownHostsFile {paths.KnownHostsFile}
                  GlobalKnownHostsFile /dev/null
                  StrictHostKeyChecking yes
                  IdentitiesOnly yes
                  BatchMode yes

                """);
        }

        WritePrivate(paths.KnownHostsFile, known.ToString());
        WritePrivate(paths.SshConfigFile, config.ToString());
    }

    private static async Task EnsureKeyAsync(string keyFile, string comment, IProcessRunner runner, CancellationToken ct)
    {
        if (File.Exists(keyFile) && File.Exists(keyFile + ".pub"))
        {
            return;
        }

        File.Delete(keyFile);
        File.Delete(keyFile + ".pub");

        // An empty passphrase is not a secret; the private key never leaves its 0600 file.
        var spec = new ProcessSpec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", keyFile], Timeout: TimeSpan.FromSeconds(30));
        (await runner.RunAsync(spec, ct)).EnsureSuccess();
        File.SetUnixFileMode(keyFile, PrivateFile);
    }

    private static void WritePrivate(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.SetUnixFileMode(temp, PrivateFile);
        File.Move(temp, path, overwrite: true);
    }
}
