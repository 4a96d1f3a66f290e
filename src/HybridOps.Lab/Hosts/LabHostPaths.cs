namespace HybridOps.Lab.Hosts;

/// <summary>
/// Where a lab's hosts live on the machine: &lt;lab dir&gt;/hosts/&lt;name&gt;/ is a host's disk (its /etc
/// overlay upper dir and the sources of its private mounts), &lt;lab dir&gt;/ssh/ holds hyops' client files.
/// </summary>
public sealed record LabHostPaths(string LabDir)
{
    public string HostsDir => Path.Combine(LabDir, "hosts");

    /// <summary>hosts.json: everything created, recorded before it is created.</summary>
    public string RecordFile => Path.Combine(HostsDir, "hosts.json");

    public string SshDir => Path.Combine(LabDir, "ssh");

    /// <summary>hyops' private key for every lab host (0600).</summary>
    public string IdentityFile => Path.Combine(SshDir, "id_ed25519");

    public string KnownHostsFile => Path.Combine(SshDir, "known_hosts");

    public string SshConfigFile => Path.Combine(SshDir, "ssh_config");

    public string HostDir(string name) => Path.Combine(HostsDir, name);

    /// <summary>Upper dir of the host's /etc overlay: every file the host (or the lab) writes in /etc lands here.</summary>
    public string EtcUpper(string name) => Path.Combine(HostDir(name), "etc");

    public string EtcWork(string name) => Path.Combine(HostDir(name), ".etc-work");

    /// <summary>
    /// Source of a private mount: /var/lib/postgresql becomes var-lib-postgresql. A mount point in
    /// <see cref="LabHostMounts.Shared"/> has one source for every host of the lab (the lab's "NFS share").
    /// </summary>
    public string PrivateSource(string name, string mountPoint) =>
        LabHostMounts.Shared.Contains(mountPoint)
            ? Path.Combine(HostsDir, "shared", mountPoint.Trim('/').Replace('/', '-'))
            : Path.Combine(HostDir(name), mountPoint.Trim('/').Replace('/', '-'));

    public string InitScript(string name) => Path.Combine(HostDir(name), "init.sh");

    /// <summary>stdout/stderr of the host's init and sshd (-e logs to stderr).</summary>
    public string ConsoleLog(string name) => Path.Combine(HostDir(name), "console.log");
}
