using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// Prepares the lab directory: layout, patroni.yml files, ownership. When we are root the servers
/// run as the service user, so the whole tree is chowned to it and the PGDATA dirs are 0700
/// (PostgreSQL refuses group/world-accessible data directories).
/// </summary>
internal static class LabFiles
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static async Task PrepareAsync(
        LabOptions options, LabLayout layout, string? serviceUser, IProcessRunner runner, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The lab needs Linux (loopback aliases, setpriv, PostgreSQL/Patroni/etcd packages).");
        }

        Directory.CreateDirectory(layout.LabDir, Private);
        Directory.CreateDirectory(layout.EtcdDataDir, Private);
        foreach (var member in options.Topology.Members)
        {
            Directory.CreateDirectory(layout.MemberDir(member.Name));
            Directory.CreateDirectory(layout.SocketDir(member.Name));
            Directory.CreateDirectory(layout.DataDir(member.Name), Private);
            File.SetUnixFileMode(layout.DataDir(member.Name), Private);
            await File.WriteAllTextAsync(layout.PatroniConfig(member.Name), PatroniConfig.Render(options, layout, member), ct);
        }

        if (serviceUser is null)
        {
            return;
        }

        var chown = ProcessSpec.Of("chown", "-R", $"{serviceUser}:{serviceUser}", layout.LabDir) with { Timeout = TimeSpan.FromSeconds(60) };
        (await runner.RunAsync(chown, ct)).EnsureSuccess();

        // The service user must also be able to reach the directory (e.g. a LabDir under /root fails here).
        var probe = await runner.RunAsync(
            new ProcessSpec("test", ["-w", layout.LabDir, "-a", "-x", layout.LabDir], RunAsUser: serviceUser, Timeout: TimeSpan.FromSeconds(10)), ct);
        if (!probe.Succeeded)
        {
            throw new InvalidOperationException(
                $"{layout.LabDir} is not writable/traversable by '{serviceUser}'; choose a LabDir under /tmp or another shared path.");
        }
    }
}
