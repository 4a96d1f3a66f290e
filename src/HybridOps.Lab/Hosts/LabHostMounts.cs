namespace HybridOps.Lab.Hosts;

/// <summary>
/// What is private per host besides /etc (an overlay) and /run (a tmpfs, empty after every start like a
/// real /run): each directory is a bind of &lt;host dir&gt;/&lt;name&gt;, so it survives a power cut.
/// Everything else (/usr, /var/lib/dpkg, …) is the machine's.
/// </summary>
internal static class LabHostMounts
{
    /// <summary>Mount point and owner of its source. /tmp is mounted last: the lab dir usually lives under it.</summary>
    public static readonly IReadOnlyList<(string MountPoint, string Owner, string Mode)> Binds =
    [
        ("/var/lib/postgresql", "postgres", "0755"),
        ("/var/spool/pgbackrest", "postgres", "0750"),
        ("/var/lib/pgbackrest", "postgres", "0750"),
        ("/var/lib/etcd", "postgres", "0700"),
        ("/var/lib/powerdns", "pdns", "0750"),
        ("/var/log", "root", "0755"),
        ("/home", "root", "0755"),
        // The host's own root home: the machine's (its dotfiles) is not the host's business, and sourcing
        // its .bashrc on every ssh session costs more than the session itself.
        ("/root", "root", "0700"),
        ("/tmp", "root", "1777"),
    ];

    /// <summary>
    /// Mounted from one directory on every host of the lab, as a site mounts one NFS export on every
    /// database host: a posix pgBackRest repository under /var/lib/pgbackrest is then the same on all members.
    /// </summary>
    public static readonly IReadOnlyList<string> Shared = ["/var/lib/pgbackrest"];

    /// <summary>A lab dir below one of these would be hidden from the host's init before it finished mounting.</summary>
    public static readonly IReadOnlyList<string> ForbiddenLabDirParents =
        ["/etc", "/run", "/var/run", "/var/lib/postgresql", "/var/spool/pgbackrest", "/var/lib/pgbackrest", "/var/lib/etcd", "/var/lib/powerdns", "/var/log", "/home", "/root"];
}
