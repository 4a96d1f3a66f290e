using System.Text;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// What to run on a host. <see cref="Argv"/> is a real argv: no shell on either side re-parses it
/// (the ssh transport quotes every element). Nothing of hyops' environment or of the login
/// session reaches the command: only PATH, LANG, HOME/USER/LOGNAME of the target user and the
/// variables named here.
/// </summary>
/// <param name="Argv">Program and arguments, one element each; never secrets (argv is world-readable in /proc and recorded).</param>
public sealed record HostCommand(IReadOnlyList<string> Argv)
{
    /// <summary><see cref="RunAs"/> value for the superuser (<c>sudo -n</c> unless the login user is root).</summary>
    public const string Root = "root";

    /// <summary>Target user: null = the login user; another name = become it with the host's method.</summary>
    public string? RunAs { get; init; }

    /// <summary>Non-secret variables for the command; they appear in the remote command line.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// Variables whose values never appear in any argv (local or remote) nor in records: the ssh
    /// transport sends them on stdin to a small sh preamble that reads and exports them, then hands
    /// the rest of stdin to the command. Values are single lines.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SecretEnvironment { get; init; }

    /// <summary>Written to the command's stdin, which is then closed; null gives an empty stdin.</summary>
    public string? StdinText { get; init; }

    /// <summary>Wall-clock limit of the command on the host; exceeding it is a <see cref="HostCommandTimeoutException"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Directory the command starts in on the host; null keeps the target user's home.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Convenience factory: <c>HostCommand.Of("psql", "-X", "-c", "select 1")</c>.</summary>
    public static HostCommand Of(params string[] argv) => new(argv);

    // Records print every member by default; secret values must never reach a log line.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Argv = [").AppendJoin(' ', Argv).Append(']')
            .Append(", RunAs = ").Append(RunAs)
            .Append(", Environment = [").AppendJoin(',', Environment?.Keys ?? []).Append(']')
            .Append(", SecretEnvironment = [").AppendJoin(',', SecretEnvironment?.Keys ?? []).Append(']')
            .Append(", WorkingDirectory = ").Append(WorkingDirectory)
            .Append(", Timeout = ").Append(Timeout);
        return true;
    }
}
