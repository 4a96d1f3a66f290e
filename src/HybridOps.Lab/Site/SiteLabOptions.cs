namespace HybridOps.Lab.Site;

/// <summary>
/// The lab as a set of real hosts (Linux namespaces with their own sshd) on address block
/// <see cref="Block"/> of 169.254.250.0/24. Passwords reach the hosts only inside 0600 files owned
/// by the service user (/etc/patroni/patroni.env); they never appear in an argv or a record.
/// </summary>
public sealed record SiteLabOptions(string LabDir, int Block, string SuperuserPassword, string ReplicationPassword)
{
    public const string SuperuserName = "postgres";
    public const string ReplicationUserName = "replicator";

    public string ClusterName { get; init; } = "hyops-onprem";

    public int MemberCount { get; init; } = 3;

    /// <summary>Database hosts of the DR site (plus its etcd host); 0 builds no DR site.</summary>
    public int DrMemberCount { get; init; } = 3;

    /// <summary>API key of the lab's PowerDNS host; null starts no DNS host.</summary>
    public string? PdnsApiKey { get; init; }

    /// <summary>Keys of the lab's object stores; null starts no objstore host.</summary>
    public LabObjectStoreKeys? ObjectStores { get; init; }

    /// <summary>Where azurite and s3rver are installed (the machine's /opt is every host's).</summary>
    public string NodeModules { get; init; } = "/opt/hyops-lab/node_modules";

    public string NodeExecutable { get; init; } = "/usr/bin/node";

    public string OpensslExecutable { get; init; } = "/usr/bin/openssl";

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(180);

    // The compiler-generated ToString would print the passwords.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("LabDir = ").Append(LabDir).Append(", Block = ").Append(Block)
            .Append(", ClusterName = ").Append(ClusterName).Append(", MemberCount = ").Append(MemberCount)
            .Append(", passwords = ***, PdnsApiKey = ").Append(PdnsApiKey is null ? "(none)" : "***")
            .Append(", ObjectStores = ").Append(ObjectStores is null ? "(none)" : "***");
        return true;
    }
}
