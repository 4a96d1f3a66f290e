using System.Globalization;
using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;
using HybridOps.Providers.Managed;

namespace HybridOps.Providers.Local;

/// <summary>
/// Clone: a physical copy of a running instance (pg_basebackup over the instance's own socket, WAL
/// streamed alongside, the source never stopped) into a new instance under instances/&lt;clone&gt;, on
/// its own address and port. Before the copy's server first starts, postgresql.auto.conf (read last)
/// gives it its own listen address, port and socket dir, max_logical_replication_workers = 0 (no apply
/// worker can start, so a copied subscription never connects to the source and never moves the
/// original's slot) and archive_command /bin/true; a copied backup include is removed. The copy keeps
/// the read-only default of a standby until PromoteReplica. DeleteInstance removes it.
/// </summary>
public sealed partial class LocalManagedPostgres
{
    private const string CloneSettingsHeader = "# hyops local provider: a clone";

    public async Task<ManagedInstance> CloneInstanceAsync(string source, string clone, string adminPassword, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        if (!InstanceNamePattern().IsMatch(clone) || clone == source || (clone.Length > 55 && host.Remote))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"clone name '{clone}' must be a new instance name ([a-z][a-z0-9-], at most {(host.Remote ? 55 : 63)} characters), not '{source}'");
        }

        var original = await RequireAsync(source, cancellationToken);
        if (!await host.IsRunningAsync(source, options, cancellationToken))
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{source}' is not running; a clone is copied from the running server");
        }

        if (await LoadRecordAsync(clone, cancellationToken) is not null)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed, $"instance '{clone}' already exists under {options.InstanceDir(clone)}");
        }

        // The socket-only replication line of the admin (instances made before it existed get it now; a reload, no restart).
        await WriteHbaAsync(original, cancellationToken);
        await ReloadIfRunningAsync(source, cancellationToken);

        var index = await NextIndexAsync(cancellationToken);
        var record = original with { Name = clone, Index = index, Host = options.Host(index), Port = options.PortOf(index), Role = "replica", CreatedAt = started, PromotedAt = null };
        await host.EnsureDirectoryAsync(options.InstanceDir(clone), "0750", cancellationToken);
        await host.EnsureDirectoryAsync(options.SocketDir(clone), "0750", cancellationToken);
        await SaveRecordAsync(record, cancellationToken);
        await RunAsync(new ProcessSpec(Bin("pg_basebackup"),
            ["-D", options.DataDir(clone), "-h", options.SocketDir(source), "-p", original.Port.ToString(CultureInfo.InvariantCulture), "-U", original.AdminUser,
             "-w", "-X", "stream", "-c", "fast", "--no-manifest", "--no-sync", "-l", $"hyops clone {clone} of {source}"],
            WorkingDirectory: options.InstanceDir(clone), Environment: new Dictionary<string, string> { ["PGPASSWORD"] = adminPassword },
            RunAsUser: ServiceUser, Timeout: TimeSpan.FromMinutes(30)), "pg_basebackup", cancellationToken);

        var data = options.DataDir(clone);
        await host.DeleteAsync(Path.Combine(data, LocalManagedBackups.BackupFile), cancellationToken);
        var auto = await host.ReadAsync(Path.Combine(data, "postgresql.auto.conf"), cancellationToken) ?? "";
        await host.WriteAsync(Path.Combine(data, "postgresql.auto.conf"), auto + string.Join('\n',
        [
            "",
            $"{CloneSettingsHeader} of {source}: its own address, no logical replication worker (a copied subscription never connects), nothing archived",
            $"listen_addresses = '{record.Host}'",
            $"port = {record.Port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_directories = '{options.SocketDir(clone)}'",
            "max_logical_replication_workers = 0",
            "archive_command = '/bin/true'",
            "",
        ]), SecretMode, cancellationToken);
        await WriteHbaAsync(record, cancellationToken);
        await host.StartServerAsync(clone, options, record.Port, Actions, cancellationToken);
        return ToInstance(record, InstanceState.Runnable);
    }
}
