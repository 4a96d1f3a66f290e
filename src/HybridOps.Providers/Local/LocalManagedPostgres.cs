using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.State;
using HybridOps.Postgres.Exec;
using HybridOps.Providers.Managed;

namespace HybridOps.Providers.Local;

/// <summary>
/// The embedded managed-PostgreSQL provider: every instance is a real PostgreSQL 15 server run by
/// the `postgres` OS user (initdb with data checksums and scram-sha-256, wal_level logical, pg_hba
/// allowing only the authorized networks plus local socket logins), started with pg_ctl and
/// recorded by pid in processes.json. Nothing here is simulated.
/// </summary>
public sealed partial class LocalManagedPostgres(LocalProviderOptions options, IProcessRunner runner, TimeProvider time) : IManagedPostgresProvider
{
    private const string HbaHeader = "# Written by hyops (local managed-PostgreSQL provider): authorized networks only";

    public string Name => "local";

    public ProviderLocation Location => new("local", options.DataRoot, options.AddressPrefix);

    /// <summary>Every process-level step the provider ran (argv, rc, duration), for the caller's evidence.</summary>
    public List<ProcessResult> Actions { get; } = [];

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    public static partial Regex InstanceNamePattern();

    public async Task<ProviderOperation> InsertInstanceAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        if (request.DatabaseVersion != "POSTGRES_15")
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"database_version '{request.DatabaseVersion}' is not offered by the local provider (POSTGRES_15)");
        }

        if (File.Exists(options.MetadataFile(request.Name)))
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed, $"instance '{request.Name}' already exists under {options.InstanceDir(request.Name)}");
        }

        var index = NextIndex();
        var dir = options.InstanceDir(request.Name);
        var data = options.DataDir(request.Name);
        await OwnedDirectoryAsync(options.DataRoot, "0755", cancellationToken);
        await OwnedDirectoryAsync(Path.Combine(options.DataRoot, "instances"), "0755", cancellationToken);
        await OwnedDirectoryAsync(dir, "0750", cancellationToken);
        await OwnedDirectoryAsync(options.SocketDir(request.Name), "0750", cancellationToken);

        // The password never goes into argv. initdb (running as postgres) cannot open our stdin pipe by
        // path, so it reads a 0600 file in the 0750 postgres-owned instance dir that exists only during initdb.
        var pwfile = Path.Combine(dir, ".initdb-pw");
        try
        {
            await CreateOwnedFileAsync(pwfile, cancellationToken);
            await File.WriteAllTextAsync(pwfile, request.AdminPassword + "\n", cancellationToken);
            await RunAsync(new ProcessSpec(Bin("initdb"),
                ["-D", data, "-U", request.AdminUser, $"--pwfile={pwfile}", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                 "--data-checksums", "--encoding=UTF8", "--locale=C"],
                WorkingDirectory: dir, RunAsUser: ServiceUser, Timeout: TimeSpan.FromMinutes(2)), "initdb", cancellationToken);
        }
        finally
        {
            File.Delete(pwfile);
        }

        var record = new LocalInstanceRecord
        {
            Name = request.Name,
            Index = index,
            Host = options.Host(index),
            Port = options.Port,
            DatabaseVersion = request.DatabaseVersion,
            Tier = request.Settings.Tier,
            Region = request.Settings.Region,
            AuthorizedNetworks = request.AuthorizedNetworks,
            AdminUser = request.AdminUser,
            Role = request.Role == InstanceRole.Primary ? "primary" : "replica",
            CreatedAt = started,
        };
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), ServerSettings(record), cancellationToken);
        if (request.Role == InstanceRole.Replica)
        {
            // A standby is read-only for every client session until promotion, as a managed replica is.
            await File.WriteAllTextAsync(Path.Combine(data, StandbyFile), StandbySettings, cancellationToken);
        }

        await WriteHbaAsync(record, cancellationToken);
        SaveRecord(record);
        await StartAsync(request.Name, cancellationToken);
        return Operation("CREATE", request.Name, started);
    }

    public Task<ManagedInstance?> GetInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var record = LoadRecord(name);
        return Task.FromResult(record is null ? null : ToInstance(record, LivePid(name) is null ? InstanceState.Stopped : InstanceState.Runnable));
    }

    public async Task<ProviderOperation> PatchAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var record = Require(name) with { AuthorizedNetworks = [.. cidrs] };
        await WriteHbaAsync(record, cancellationToken);
        SaveRecord(record);
        if (LivePid(name) is not null)
        {
            await RunAsync(new ProcessSpec(Bin("pg_ctl"), ["-D", options.DataDir(name), "reload"], RunAsUser: ServiceUser, Timeout: TimeSpan.FromSeconds(30)), "pg_ctl reload", cancellationToken);
        }

        return Operation("UPDATE", name, started);
    }

    public async Task<ProviderOperation> RestartInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        Require(name);
        if (LivePid(name) is null)
        {
            await StartAsync(name, cancellationToken);
        }

        return Operation("RESTART", name, started);
    }

    public async Task<ProviderOperation> PromoteReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var record = Require(name);
        // Promotion lifts the standby's instance-level read-only default (the per-table guard is the caller's to lift first).
        File.Delete(Path.Combine(options.DataDir(name), StandbyFile));
        if (LivePid(name) is not null)
        {
            await RunAsync(new ProcessSpec(Bin("pg_ctl"), ["-D", options.DataDir(name), "reload"], RunAsUser: ServiceUser, Timeout: TimeSpan.FromSeconds(30)), "pg_ctl reload", cancellationToken);
        }

        SaveRecord(record with { Role = "primary", PromotedAt = record.PromotedAt ?? started });
        return Operation("PROMOTE_REPLICA", name, started);
    }

    public async Task<ProviderOperation> PatchDatabaseFlagsAsync(string name, IReadOnlyDictionary<string, string> flags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var started = time.GetUtcNow();
        var record = Require(name) with { DatabaseFlags = flags.ToImmutableDictionary(StringComparer.Ordinal) };
        foreach (var (key, value) in flags)
        {
            if (!FlagName().IsMatch(key) || !FlagValue().IsMatch(value))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"database flag '{key}' = '{value}' is not a plain setting name and value");
            }
        }

        // Flags live in their own file, included from postgresql.conf, so a patch replaces exactly the flag set.
        var data = options.DataDir(name);
        var text = new StringBuilder("# hyops local provider: database flags (instances.patch settings.databaseFlags)\n");
        foreach (var (key, value) in flags.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append(" = '").Append(value).Append("'\n");
        }

        await File.WriteAllTextAsync(Path.Combine(data, FlagsFile), text.ToString(), cancellationToken);
        var conf = Path.Combine(data, "postgresql.conf");
        if (!(await File.ReadAllTextAsync(conf, cancellationToken)).Contains(FlagsInclude, StringComparison.Ordinal))
        {
            await File.AppendAllTextAsync(conf, FlagsInclude + "\n", cancellationToken);
        }

        SaveRecord(record);
        if (LivePid(name) is not null)
        {
            await RunAsync(new ProcessSpec(Bin("pg_ctl"), ["-D", data, "reload"], RunAsUser: ServiceUser, Timeout: TimeSpan.FromSeconds(30)), "pg_ctl reload", cancellationToken);
        }

        return Operation("UPDATE", name, started);
    }

    private const string FlagsFile = "hyops_database_flags.conf";
    private const string StandbyFile = "hyops_standby.conf";
    private const string StandbySettings = "# hyops local provider: a standby refuses client writes until promoted (PromoteReplica removes this file)\ndefault_transaction_read_only = on\n";
    private const string FlagsInclude = "include_if_exists = 'hyops_database_flags.conf'";

    [GeneratedRegex("^[a-z_][a-z0-9_.]{0,62}$")]
    private static partial Regex FlagName();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{0,200}$")]
    private static partial Regex FlagValue();

    public async Task<string> PutSourcePassfileAsync(string name, string host, int port, string user, string password, CancellationToken cancellationToken)
    {
        Require(name);
        // libpq passfile: host:port:database:user:password, ':' and '\' escaped; libpq ignores it unless 0600.
        static string Esc(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);
        var path = options.SourcePassfile(name);
        var line = $"{Esc(host)}:{port.ToString(CultureInfo.InvariantCulture)}:*:{Esc(user)}:{Esc(password)}\n";
        if (!File.Exists(path))
        {
            await CreateOwnedFileAsync(path, cancellationToken);
        }

        await File.WriteAllTextAsync(path, line, cancellationToken);
        return path;
    }

    public async Task<ManagedBackup> EnableBackupsAsync(string name, BackupRepository repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var started = time.GetUtcNow();
        var record = Require(name);
        var (backup, count, config, archive) = await new LocalManagedBackups(options, runner, Actions).EnableAsync(record, repository, cancellationToken);
        return new ManagedBackup
        {
            Method = "pgbackrest", Label = backup.Label, Type = backup.Type, BackupCount = count, Started = backup.Started, Stopped = backup.Stopped,
            WalStart = backup.WalStart, WalStop = backup.WalStop, ConfigPath = config, ArchiveCommand = archive, Operation = Operation("BACKUP_RUN", name, started),
        };
    }

    public async Task<ProviderOperation> DeleteInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        Require(name);
        if (LivePid(name) is { } pid)
        {
            var stop = await runner.RunAsync(new ProcessSpec(Bin("pg_ctl"), ["-D", options.DataDir(name), "-m", "fast", "-w", "-t", "60", "stop"],
                RunAsUser: ServiceUser, Timeout: TimeSpan.FromSeconds(70)), cancellationToken);
            Actions.Add(stop);
            if (LivePid(name) is not null)
            {
                // pg_ctl could not stop it: the pid was checked against the data dir marker, so terminating it is safe.
                await ProcessControl.TerminateAsync(pid, TimeSpan.FromSeconds(10), cancellationToken);
            }
        }

        ProcessesFile.Set(options.ProcessesFile, name, null, options.DataDir(name));
        Directory.Delete(options.InstanceDir(name), recursive: true);
        return Operation("DELETE", name, started);
    }

    private string? ServiceUser => ProcessIdentity.ServiceUserOrNull(options.OsUser);

    private string Bin(string tool) => Path.Combine(options.PgBinDir, tool);

    private async Task StartAsync(string name, CancellationToken ct)
    {
        var data = options.DataDir(name);
        await RunAsync(new ProcessSpec(Bin("pg_ctl"), ["-D", data, "-l", options.LogFile(name), "-w", "-t", "60", "start"],
            WorkingDirectory: options.InstanceDir(name), RunAsUser: ServiceUser, Timeout: TimeSpan.FromSeconds(70)), "pg_ctl start", ct);
        var pid = LivePid(name) ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed,
            $"instance '{name}' did not stay up after pg_ctl start; see {options.LogFile(name)}");
        ProcessesFile.Set(options.ProcessesFile, name, pid, data);
    }

    /// <summary>The postmaster pid when it is alive and its argv still names this instance's data dir.</summary>
    private int? LivePid(string name)
    {
        var pidFile = Path.Combine(options.DataDir(name), "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var first = File.ReadLines(pidFile).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
               && ProcessControl.CommandLineContains(pid, options.DataDir(name)) ? pid : null;
    }

    private async Task WriteHbaAsync(LocalInstanceRecord record, CancellationToken ct)
    {
        var hba = new StringBuilder().AppendLine(HbaHeader).AppendLine("local all all scram-sha-256");
        foreach (var cidr in record.AuthorizedNetworks)
        {
            hba.Append("host all all ").Append(cidr).AppendLine(" scram-sha-256");
        }

        await File.WriteAllTextAsync(Path.Combine(options.DataDir(record.Name), "pg_hba.conf"), hba.ToString(), ct);
    }

    private string ServerSettings(LocalInstanceRecord record) => string.Join('\n',
    [
        "",
        "# hyops local managed-PostgreSQL provider",
        $"listen_addresses = '{record.Host}'",
        $"port = {record.Port.ToString(CultureInfo.InvariantCulture)}",
        $"unix_socket_directories = '{options.SocketDir(record.Name)}'",
        "password_encryption = 'scram-sha-256'",
        "wal_level = logical",
        "max_replication_slots = 10",
        "max_wal_senders = 10",
        "max_logical_replication_workers = 8",
        "max_sync_workers_per_subscription = 2",
        "max_worker_processes = 16",
        "max_connections = 50",
        "shared_buffers = 32MB",
        "# archiving is on from the start (discarded until backups are enabled), so enabling backups needs no restart",
        "archive_mode = on",
        "archive_command = '/bin/true'",
        $"include_if_exists = '{StandbyFile}'",
        $"include_if_exists = '{LocalManagedBackups.BackupFile}'",
        "",
    ]);

    private async Task OwnedDirectoryAsync(string path, string mode, CancellationToken ct)
    {
        Directory.CreateDirectory(path);
        if (ServiceUser is { } user)
        {
            await RunAsync(new ProcessSpec("install", ["-d", "-m", mode, "-o", user, "-g", user, path], Timeout: TimeSpan.FromSeconds(10)), "install -d", ct);
        }
    }

    private async Task CreateOwnedFileAsync(string path, CancellationToken ct)
    {
        if (ServiceUser is { } user)
        {
            await RunAsync(new ProcessSpec("install", ["-m", "0600", "-o", user, "-g", user, "/dev/null", path], Timeout: TimeSpan.FromSeconds(10)), "install", ct);
        }
        else
        {
            File.WriteAllText(path, "");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    private async Task<ProcessResult> RunAsync(ProcessSpec spec, string what, CancellationToken ct)
    {
        var result = await runner.RunAsync(spec, ct);
        Actions.Add(result);
        if (!result.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed, $"{what} exited with {result.ExitCode}: {result.StdErr.Trim()}");
        }

        return result;
    }

    private int NextIndex()
    {
        var used = Directory.Exists(Path.Combine(options.DataRoot, "instances"))
            ? Directory.EnumerateDirectories(Path.Combine(options.DataRoot, "instances"))
                .Select(d => LoadRecord(Path.GetFileName(d))?.Index ?? 0).ToHashSet()
            : [];
        return Enumerable.Range(1, 200).First(i => !used.Contains(i));
    }

    private LocalInstanceRecord Require(string name) => LoadRecord(name)
        ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' does not exist under {options.DataRoot}");

    private LocalInstanceRecord? LoadRecord(string name)
    {
        var path = options.MetadataFile(name);
        return File.Exists(path) ? Json.Deserialize(File.ReadAllText(path), ProvidersJsonContext.Default.LocalInstanceRecord) : null;
    }

    private void SaveRecord(LocalInstanceRecord record) =>
        AtomicFile.WriteAllText(options.MetadataFile(record.Name), Json.Serialize(record, ProvidersJsonContext.Default.LocalInstanceRecord), s => s);

    private static ManagedInstance ToInstance(LocalInstanceRecord r, InstanceState state) => new()
    {
        Name = r.Name,
        State = state,
        IpAddress = r.Host,
        Port = r.Port,
        DatabaseVersion = r.DatabaseVersion,
        Role = r.Role == "primary" ? InstanceRole.Primary : InstanceRole.Replica,
        Settings = new InstanceSettings(r.Tier, r.Region, r.AuthorizedNetworks.IsDefault ? ImmutableArray<string>.Empty : r.AuthorizedNetworks),
        AdminUser = r.AdminUser,
        CreatedAt = r.CreatedAt,
        PromotedAt = r.PromotedAt,
        DatabaseFlags = r.DatabaseFlags ?? ImmutableDictionary<string, string>.Empty,
    };

    private ProviderOperation Operation(string type, string target, DateTimeOffset started) =>
        new($"op-{Guid.NewGuid():N}"[..19], type, target, "DONE", started, time.GetUtcNow());
}
