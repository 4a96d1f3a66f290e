using System.Text;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// A host's disk on the machine (&lt;lab dir&gt;/hosts/&lt;name&gt;/): the /etc overlay's upper and work dirs,
/// one source dir per private mount, the init script, and the files the lab puts in the host's /etc
/// (hostname, hosts, sshd config and keys). It survives stops and power cuts like a real disk.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LabHostDisk
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Readable = Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static async Task PrepareAsync(LabHostPaths paths, LabHostRecord host, IProcessRunner runner, CancellationToken ct)
    {
        var name = host.Name;
        Directory.CreateDirectory(paths.HostDir(name), Private);
        Directory.CreateDirectory(paths.EtcUpper(name), Readable);
        Directory.CreateDirectory(paths.EtcWork(name), Private);
        foreach (var (mountPoint, _, _) in LabHostMounts.Binds)
        {
            // Owner and mode are set by the host's init (as the host's root) right before each bind.
            Directory.CreateDirectory(paths.PrivateSource(name, mountPoint), Private);
        }

        await File.WriteAllTextAsync(Path.Combine(paths.EtcUpper(name), "hostname"), name + "\n", ct);
        await LabHostSshFiles.WriteHostAsync(paths, name, host.Address, runner, ct);
        await File.WriteAllTextAsync(paths.InitScript(name), LabHostInitScript.Render(paths, name, File.Exists(LabHostInitScript.Tini)), ct);
    }

    /// <summary>Every host's /etc/hosts names every lab host by its address (and itself, for sudo).</summary>
    public static async Task WriteHostsFilesAsync(LabHostPaths paths, IReadOnlyCollection<LabHostRecord> hosts, CancellationToken ct)
    {
        var text = new StringBuilder("# Written by hyops: the lab's hosts.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        foreach (var host in hosts)
        {
            text.Append(host.Address).Append('\t').Append(host.Name).Append('\n');
        }

        foreach (var host in hosts)
        {
            await File.WriteAllTextAsync(Path.Combine(paths.EtcUpper(host.Name), "hosts"), text.ToString(), ct);
        }
    }
}
