namespace HybridOps.Postgres.Hosts;

/// <summary>Tuning of <see cref="SshHostExecutor"/> that is the same for every host of a run.</summary>
public sealed record SshExecutorOptions
{
    /// <summary>The OpenSSH client.</summary>
    public string SshBinary { get; init; } = "ssh";

    /// <summary>ssh's ConnectTimeout: how long the TCP connect plus handshake may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// ServerAliveInterval: a connection that stops answering (a partitioned host) is given up after
    /// three silent intervals (ssh exits 255, a <see cref="HostUnreachableException"/>) instead of hanging.
    /// </summary>
    public TimeSpan ServerAliveInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Reuse one connection per host (ControlMaster=auto) so a command costs milliseconds.</summary>
    public bool Multiplex { get; init; } = true;

    /// <summary>How long an idle master connection stays open (ControlPersist).</summary>
    public TimeSpan ControlPersist { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Directory of the control sockets (must be private, 0700, and short: unix sockets have a
    /// 108-byte limit). Null: a fresh /tmp/hyops-ssh-XXXXXXXX per executor, removed on dispose,
    /// so no master is shared with a connection made under other options (another known_hosts).
    /// </summary>
    public string? ControlDirectory { get; init; }

    /// <summary>PATH of every remote command (the login session's PATH never reaches it).</summary>
    public string RemotePath { get; init; } = Exec.ChildEnvironment.DefaultPath;

    /// <summary>The ssh-agent socket handed to ssh (the only variable of hyops' environment ssh gets besides the base set); null: none.</summary>
    public string? AgentSocket { get; init; } = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");

    /// <summary>
    /// Extra time the local ssh process gets beyond a command's own timeout (the remote side
    /// enforces the timeout itself with coreutils <c>timeout</c>; this bounds a hung connection).
    /// </summary>
    public TimeSpan TimeoutGrace { get; init; } = TimeSpan.FromSeconds(10);
}
