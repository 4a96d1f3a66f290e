namespace HybridOps.Lab.Load;

/// <summary>
/// How the write load reaches the database: only through the published service record, resolved
/// with a real DNS query against the authority on every (re)connect. The password is held in memory
/// only (it comes from an env/vault key the caller resolved) and never written anywhere.
/// </summary>
public sealed record WriteLoadOptions(string DnsServer, int DnsPort, string ServiceRecord, string User, string Password, string OutDir)
{
    public int Port { get; init; } = 5432;

    public string Database { get; init; } = "postgres";

    /// <summary>Transactions per second (one row each).</summary>
    public double Rate { get; init; } = 20;

    /// <summary>Null: until cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    public string LoadId { get; init; } = "load-" + Guid.NewGuid().ToString("N")[..10];

    public int ConnectTimeoutSeconds { get; init; } = 2;

    public int CommandTimeoutSeconds { get; init; } = 5;

    /// <summary>Pause after any failure before resolving and connecting again.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan DnsTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public string AckLogPath => Path.Combine(OutDir, "acks.jsonl");

    public string FailureLogPath => Path.Combine(OutDir, "failures.jsonl");

    // The compiler-generated ToString would print the password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("ServiceRecord = ").Append(ServiceRecord).Append(", DnsServer = ").Append(DnsServer).Append(':').Append(DnsPort)
            .Append(", User = ").Append(User).Append(", Password = ***, Rate = ").Append(Rate).Append(", LoadId = ").Append(LoadId);
        return true;
    }
}
