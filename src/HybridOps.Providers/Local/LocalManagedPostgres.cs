using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.State;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;
using HybridOps.Providers.Managed;

namespace HybridOps.Providers.Local;

/// <summary>
/// The embedded managed-PostgreSQL provider: every instance is a real PostgreSQL 15 server run by
/// the `postgres` OS user (initdb with data checksums and scram-sha-256, wal_level logical, pg_hba
/// allowing only the authorized networks plus local socket logins), started with pg_ctl and
/// recorded by pid in processes.json, or (with a host) run on that host over SSH as a service of its
/// service manager. Nothing here is simulated.
/// </summary>
public sealed partial class LocalManagedPostgres : IManagedPostgresProvider, IManagedInstanceCloner, IAsyncDisposable
{
    private readonly LocalProviderOptions options;
    private readonly TimeProvider time;
    private readonly InstanceHost host;
    private readonly SiteHost? siteHost;

    public LocalManagedPostgres(LocalProviderOptions options, IProcessRunner runner, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        host = InstanceHost.Local(runner, options.OsUser);
    }

    /// <summary>The provider on one host reached over SSH (<paramref name="serviceManager"/>: systemd or start-stop-daemon).</summary>
    public LocalManagedPostgres(LocalProviderOptions options, SiteHost siteHost, string serviceManager, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(siteHost);
        this.options = options with { HostAddress = siteHost.Address, OsUser = siteHost.ServiceUser };
        this.time = time;
        this.siteHost = siteHost;
        host = InstanceHost.Ssh(siteHost, serviceManager);
    }

    private const string HbaHeader = "# Written by hyops (local managed-PostgreSQL provider): authorized networks only";

    public string Name => "local";

    public ProviderLocation Location => new("local", options.DataRoot, options.AddressPrefix) { Host = HostEntry };

    /// <summary>The host's access as the location publishes it (set by the caller that built the provider from one).</summary>
    public System.Text.Json.Nodes.JsonObject? HostEntry { get; init; }

    public ValueTask DisposeAsync() => host.DisposeAsync();

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

        if (request.Name.Length > 55 && host.Remote)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"instance name '{request.Name}' is longer than 55 characters: its service on host {host.Name} is named managed-NAME (at most 63)");
        }

        if (await LoadRecordAsync(request.Name, cancellationToken) is not null)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed, $"instance '{request.Name}' already exists under {options.InstanceDir(request.Name)}");
        }

        var index = await NextIndexAsync(cancellationToken);
        var dir = options.InstanceDir(request.Name);
        var data = options.DataDir(request.Name);
        await host.EnsureDirectoryAsync(options.DataRoot, "0755", cancellationToken);
        await host.EnsureDirectoryAsync(Path.Combine(options.DataRoot, "instances"), "0755", cancellationToken);
        await host.EnsureDirectoryAsync(dir, "0750", cancellationToken);
        await host.EnsureDirectoryAsync(options.SocketDir(request.Name), "0750", cancellationToken);

        // The password never goes into argv. initdb (running as postgres) cannot open our stdin pipe by
        // path, so it reads a 0600 file in the 0750 postgres-owned instance dir that exists only during initdb.
        var pwfile = Path.Combine(dir, ".initdb-pw");
        try
        {
            await host.WriteAsync(pwfile, request.AdminPassword + "\n", SecretMode, cancellationToken);
            await RunAsync(new ProcessSpec(Bin("initdb"),
                ["-D", data, "-U", request.AdminUser, $"--pwfile={pwfile}", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                 "--data-checksums", "--encoding=UTF8", "--locale=C"],
                WorkingDirectory: dir, RunAsUser: ServiceUser, Timeout: TimeSpan.FromMinutes(2)), "initdb", cancellationToken);
        }
        finally
        {
            await host.DeleteAsync(pwfile, CancellationToken.None);
        }

        var record = new LocalInstanceRecord
        {
            Name = request.Name,
            Index = index,
            Host = options.Host(index),
            Port = options.PortOf(index),
            DatabaseVersion = request.DatabaseVersion,
            Tier = request.Settings.Tier,
            Region = request.Settings.Region,
            AuthorizedNetworks = request.AuthorizedNetworks,
            AdminUser = request.AdminUser,
            Role = request.Role == InstanceRole.Primary ? "primary" : "replica",
            CreatedAt = started,
        };
        await host.AppendOnceAsync(Path.Combine(data, "postgresql.conf"), ServerSettings(record), cancellationToken);
        if (request.Role == InstanceRole.Replica)
        {
            // A standby is read-only for every client session until promotion, as a managed replica is.
            await host.WriteAsync(Path.Combine(data, StandbyFile), StandbySettings, SecretMode, cancellationToken);
        }

        await WriteHbaAsync(record, cancellationToken);
        await SaveRecordAsync(record, cancellationToken);
        await StartAsync(request.Name, cancellationToken);
        return Operation("CREATE", request.Name, started);
    }

    public async Task<ManagedInstance?> GetInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var record = await LoadRecordAsync(name, cancellationToken);
        return record is null ? null : ToInstance(record, await host.IsRunningAsync(name, options, cancellationToken) ? InstanceState.Runnable : InstanceState.Stopped);
    }

    public async Task<ProviderOperation> PatchAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var record = await RequireAsync(name, cancellationToken) with { AuthorizedNetworks = [.. cidrs] };
        await WriteHbaAsync(record, cancellationToken);
        await SaveRecordAsync(record, cancellationToken);
        await ReloadIfRunningAsync(name, cancellationToken);

        return Operation("UPDATE", name, started);
    }

    public async Task<ProviderOperation> RestartInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        await RequireAsync(name, cancellationToken);
        if (!await host.IsRunningAsync(name, options, cancellationToken))
        {
            await StartAsync(name, cancellationToken);
        }

        return Operation("RESTART", name, started);
    }

    public async Task<ProviderOperation> PromoteReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var record = await RequireAsync(name, cancellationToken);
        // Promotion lifts the standby's instance-level read-only default (the per-table guard is the caller's to lift first).
        await host.DeleteAsync(Path.Combine(options.DataDir(name), StandbyFile), cancellationToken);
        await ReloadIfRunningAsync(name, cancellationToken);

        await SaveRecordAsync(record with { Role = "primary", PromotedAt = record.PromotedAt ?? started }, cancellationToken);
        return Operation("PROMOTE_REPLICA", name, started);
    }

    public async Task<ProviderOperation> PatchDatabaseFlagsAsync(string name, IReadOnlyDictionary<string, string> flags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var started = time.GetUtcNow();
        var record = await RequireAsync(name, cancellationToken) with { DatabaseFlags = flags.ToImmutableDictionary(StringComparer.Ordinal) };
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

        await host.WriteAsync(Path.Combine(data, FlagsFile), text.ToString(), SecretMode, cancellationToken);
        await host.AppendOnceAsync(Path.Combine(data, "postgresql.conf"), FlagsInclude, cancellationToken);
        await SaveRecordAsync(record, cancellationToken);
        await ReloadIfRunningAsync(name, cancellationToken);

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
        await RequireAsync(name, cancellationToken);
        // libpq passfile: host:port:database:user:password, ':' and '\' escaped; libpq ignores it unless 0600.
        static string Esc(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);
        var path = options.SourcePassfile(name);
        var line = $"{Esc(host)}:{port.ToString(CultureInfo.InvariantCulture)}:*:{Esc(user)}:{Esc(password)}\n";
        await this.host.WriteAsync(path, line, SecretMode, cancellationToken);
        return path;
    }

    public async Task<ManagedBackup> EnableBackupsAsync(string name, BackupRepository repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var started = time.GetUtcNow();
        var record = await RequireAsync(name, cancellationToken);
        var (backup, count, config, archive) = await new LocalManagedBackups(options, host, Actions).EnableAsync(record, repository, cancellationToken);
        return new ManagedBackup
        {
            Method = "pgbackrest", Label = backup.Label, Type = backup.Type, BackupCount = count, Started = backup.Started, Stopped = backup.Stopped,
            WalStart = backup.WalStart, WalStop = backup.WalStop, ConfigPath = config, ArchiveCommand = archive, Operation = Operation("BACKUP_RUN", name, started),
        };
    }

    public async Task<ProviderOperation> DeleteInstanceAsync(string name, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        await RequireAsync(name, cancellationToken);
        await host.StopServerAsync(name, options, Actions, cancellationToken);
        await host.DeleteTreeAsync(options.InstanceDir(name), cancellationToken);
        await host.RemoveServiceAsync(name, cancellationToken);
        return Operation("DELETE", name, started);
    }

    private const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private string? ServiceUser => host.RunAs;

    private string Bin(string tool) => $"{options.PgBinDir}/{tool}";

    private async Task StartAsync(string name, CancellationToken ct)
    {
        var record = await RequireAsync(name, ct);
        await host.StartServerAsync(name, options, record.Port, Actions, ct);
    }

    private async Task ReloadIfRunningAsync(string name, CancellationToken ct)
    {
        if (await host.IsRunningAsync(name, options, ct))
        {
            await RunAsync(new ProcessSpec(Bin("pg_ctl"), ["-D", options.DataDir(name), "reload"], RunAsUser: ServiceUser, Timeout: TimeSpan.FromSeconds(30)), "pg_ctl reload", ct);
        }
    }

    private async Task WriteHbaAsync(LocalInstanceRecord record, CancellationToken ct)
    {
        // The admin's socket-only replication line lets the provider copy the running instance (a clone); no network address gets it.
        var hba = new StringBuilder().AppendLine(HbaHeader).AppendLine("local all all scram-sha-256")
            .Append("local replication ").Append(record.AdminUser).AppendLine(" scram-sha-256");
        foreach (var cidr in record.AuthorizedNetworks)
        {
            hba.Append("host all all ").Append(cidr).AppendLine(" scram-sha-256");
        }

        await host.WriteAsync(Path.Combine(options.DataDir(record.Name), "pg_hba.conf"), hba.ToString(), SecretMode, ct);
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

    private async Task<ProcessResult> RunAsync(ProcessSpec spec, string what, CancellationToken ct)
    {
        var result = await host.Runner.RunAsync(spec, ct);
        Actions.Add(result);
        if (!result.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceFailed, $"{what} exited with {result.ExitCode}: {result.StdErr.Trim()}");
        }

        return result;
    }

    private async Task<int> NextIndexAsync(CancellationToken ct)
    {
        var used = new HashSet<int>();
        foreach (var name in await host.SubdirectoriesAsync(Path.Combine(options.DataRoot, "instances"), ct))
        {
            used.Add((await LoadRecordAsync(name, ct))?.Index ?? 0);
        }

        return Enumerable.Range(1, 200).First(i => !used.Contains(i));
    }

    private async Task<LocalInstanceRecord> RequireAsync(string name, CancellationToken ct) => await LoadRecordAsync(name, ct)
        ?? throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{name}' does not exist under {options.DataRoot}{(host.Remote ? $" on host {host.Name}" : "")}");

    private async Task<LocalInstanceRecord?> LoadRecordAsync(string name, CancellationToken ct) =>
        await host.ReadAsync(options.MetadataFile(name), ct) is { } text ? Json.Deserialize(text, ProvidersJsonContext.Default.LocalInstanceRecord) : null;

    private Task SaveRecordAsync(LocalInstanceRecord record, CancellationToken ct) =>
        host.WriteAsync(options.MetadataFile(record.Name), Json.Serialize(record, ProvidersJsonContext.Default.LocalInstanceRecord), SecretMode, ct);

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
