namespace HybridOps.Postgres.Hosts;

/// <summary>
/// One host of a site as the inventory declares it: how to reach it (OpenSSH options, all
/// optional so the operator's ssh_config decides what is not given) and how to become the
/// service user on it.
/// </summary>
/// <param name="Name">Inventory name, used in diagnostics and evidence (e.g. <c>pg1</c>).</param>
/// <param name="Address">What ssh connects to: an address, a DNS name or an ssh_config Host alias.</param>
public sealed record SiteHost(string Name, string Address)
{
    /// <summary><see cref="Transport"/> value: reached with the OpenSSH client.</summary>
    public const string SshTransport = "ssh";

    /// <summary><see cref="Transport"/> value: hyops' own machine, no ssh.</summary>
    public const string LocalTransport = "local";

    /// <summary>Always passed as <c>-p</c>: the inventory's port wins over ssh_config.</summary>
    public int SshPort { get; init; } = 22;

    /// <summary>Login user (<c>-l</c>); null lets ssh_config or the current user decide.</summary>
    public string? SshUser { get; init; }

    /// <summary>ProxyJump destination(s) (<c>-J</c>), e.g. <c>ops@bastion:2222</c>.</summary>
    public string? JumpHost { get; init; }

    /// <summary>Private key (<c>-i</c> with IdentitiesOnly=yes); null uses the agent and ssh_config.</summary>
    public string? IdentityFile { get; init; }

    /// <summary>known_hosts file for this host; null uses the user's (~/.ssh/known_hosts).</summary>
    public string? KnownHostsFile { get; init; }

    /// <summary>ssh_config file (<c>-F</c>); null uses ~/.ssh/config and /etc/ssh/ssh_config.</summary>
    public string? SshConfigFile { get; init; }

    public BecomeMethod Become { get; init; } = BecomeMethod.Sudo;

    /// <summary>The OS user that owns the database files and runs PostgreSQL, Patroni and pgBackRest.</summary>
    public string ServiceUser { get; init; } = "postgres";

    /// <summary><see cref="SshTransport"/> or <see cref="LocalTransport"/>.</summary>
    public string Transport { get; init; } = SshTransport;

    /// <summary>
    /// The user a session on this host starts as when it can be known without asking the host:
    /// the declared ssh user, the service user when there is no become method, hyops' own user
    /// for the local transport; null when ssh_config decides.
    /// </summary>
    public string? KnownLoginUser => Transport == LocalTransport
        ? Exec.ProcessIdentity.UserName
        : SshUser ?? (Become == BecomeMethod.None ? ServiceUser : null);

    public override string ToString() => $"{Name} ({Address})";
}
