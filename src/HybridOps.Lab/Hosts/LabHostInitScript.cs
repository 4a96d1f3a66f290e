using System.Text;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// The script a host starts with (run by sh as pid 1 of its new pid namespace, inside its own mount,
/// uts and network namespaces). It builds the host's private filesystem view, then execs a reaping init
/// (tini, or a bash loop when tini is absent) whose only child is the host's sshd.
/// </summary>
internal static class LabHostInitScript
{
    public const string Tini = "/usr/bin/tini";
    private const string Path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const string Sshd = "/usr/sbin/sshd -D -e -f /etc/ssh/sshd_config";

    public static string Render(LabHostPaths paths, string name, bool haveTini)
    {
        string Q(string value) => ShellQuoting.Quote(value);
        var s = new StringBuilder();
        s.Append("# Written by hyops: pid 1 of lab host ").Append(name).Append(". The machine's mounts are never changed:\n");
        s.Append("# every mount below happens in this host's private mount namespace.\n");
        s.Append("set -eu\n");
        s.Append("hostname ").Append(Q(name)).Append('\n');

        // Copies of the root namespace's /run/netns mounts would keep other hosts' network namespaces
        // (and their veths) alive until this host stops; drop them before anything else.
        // Another lab may remove its namespaces meanwhile: a mount gone before its umount is fine.
        s.Append("for m in $(awk '$2 ~ \"^/run/\" {print $2}' /proc/mounts | sort -r); do umount -l \"$m\" 2>/dev/null || true; done\n");
        s.Append("mount -t overlay overlay -o ")
            .Append(Q($"lowerdir=/etc,upperdir={paths.EtcUpper(name)},workdir={paths.EtcWork(name)}")).Append(" /etc\n");

        // The machine's other host keys stay out of the host (rm in the overlay only writes a whiteout).
        s.Append("for f in /etc/ssh/ssh_host_*; do case \"$f\" in */ssh_host_ed25519_key|*/ssh_host_ed25519_key.pub) ;; *) rm -f \"$f\" ;; esac; done\n");
        s.Append("mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run\n");
        s.Append("mkdir -m 0755 /run/sshd\n");
        s.Append("mkdir -m 1777 /run/lock\n");
        s.Append("install -d -m 2775 -o postgres -g postgres /run/postgresql\n");
        foreach (var (mountPoint, owner, mode) in LabHostMounts.Binds)
        {
            var source = Q(paths.PrivateSource(name, mountPoint));
            s.Append("chown ").Append(owner).Append(':').Append(owner).Append(' ').Append(source)
                .Append(" && chmod ").Append(mode).Append(' ').Append(source)
                .Append(" && mount --bind ").Append(source).Append(' ').Append(mountPoint).Append('\n');
        }

        s.Append("install -d -m 2775 -o postgres -g postgres /var/log/postgresql /var/log/pgbackrest\n");
        s.Append("echo \"lab host ").Append(name).Append(" up\"\n");
        s.Append(haveTini
            ? $"exec env -i {Path} LANG=C.UTF-8 {Tini} -- {Sshd}\n"
            // bash reaps every child (adopted orphans too) while it waits; it ends when sshd ends.
            : $"exec env -i {Path} LANG=C.UTF-8 /bin/bash -c '{Sshd} & s=$!; trap \"kill -TERM $s\" TERM INT; while kill -0 $s 2>/dev/null; do wait; done'\n");
        return s.ToString();
    }
}
