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
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// pdns.conf (0600: it holds the API key, which pdns accepts only from its config) and the sqlite3
    /// database, created from the backend's schema on first use. As root, pdns binds port 53 as root
    /// and then drops to the service user (setuid/setgid), which owns the database.
    /// </summary>
    private static async Task PrepareDnsAsync(LabOptions options, LabLayout layout, string? serviceUser, IProcessRunner runner, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The lab needs Linux.");
        }

        var t = options.Topology;
        Directory.CreateDirectory(layout.DnsDir, Private);
        var lines = new List<string>
        {
            "# Written by hyops lab up. Holds the API key: keep 0600.",
            "launch=gsqlite3",
            $"gsqlite3-database={layout.DnsDatabase}",
            $"local-address={t.DnsHost}",
            $"local-port={t.DnsPort}",
            "webserver=yes",
            $"webserver-address={t.DnsHost}",
            $"webserver-port={t.DnsApiPort}",
            "webserver-allow-from=127.0.0.0/8",
            "api=yes",
            $"api-key={options.PdnsApiKey}",
            "daemon=no",
            "guardian=no",
            "disable-syslog=yes",
            "write-pid=no",
            $"socket-dir={layout.DnsDir}",
            "security-poll-suffix=",
            "cache-ttl=0",
            "negquery-cache-ttl=0",
            "query-cache-ttl=0",
            "loglevel=4",
        };
        if (serviceUser is not null)
        {
            lines.Add($"setuid={serviceUser}");
            lines.Add($"setgid={serviceUser}");
        }

        var temp = layout.DnsConfig + ".tmp";
        await using (var fs = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = PrivateFile }))
        await using (var writer = new StreamWriter(fs))
        {
            await writer.WriteAsync(string.Join('\n', lines) + "\n");
        }

        File.SetUnixFileMode(temp, PrivateFile);
        File.Move(temp, layout.DnsConfig, overwrite: true);

        if (!File.Exists(layout.DnsDatabase))
        {
            var schema = await File.ReadAllTextAsync(options.PdnsSchema, ct);
            var create = new ProcessSpec(options.Sqlite3Executable, [layout.DnsDatabase], StdinText: schema, Timeout: TimeSpan.FromSeconds(30));
            (await runner.RunAsync(create, ct)).EnsureSuccess();
        }
    }

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

        if (options.PdnsApiKey is not null)
        {
            await PrepareDnsAsync(options, layout, serviceUser, runner, ct);
        }

        if (options.ObjectStores is not null)
        {
            await new LabObjectStores(runner, TimeProvider.System).PrepareAsync(options, layout, ct);
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
