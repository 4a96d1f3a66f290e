namespace HybridOps.Postgres.Exec;

/// <summary>
/// What to run. Arguments are passed as a real argv (never re-parsed by a shell), so callers
/// never have to quote. Secrets belong in <see cref="Environment"/>: argv is visible to every
/// user through /proc and is recorded as evidence in <see cref="ProcessResult.Argv"/>.
/// </summary>
/// <param name="FileName">Executable path or name resolved through PATH.</param>
/// <param name="Arguments">Arguments, one element per argv entry.</param>
/// <param name="WorkingDirectory">Working directory; null keeps the caller's.</param>
/// <param name="Environment">
/// Variables for the child on top of <see cref="ChildEnvironment.Base"/>; nothing else of hyops'
/// environment is inherited, so a program that needs a variable (PGPASSWORD, PATRONI_*) gets it here.
/// </param>
/// <param name="RunAsUser">OS user to run as; honoured when we are root (see <see cref="LocalProcessRunner"/>).</param>
/// <param name="StdinText">Text written to stdin, then stdin is closed; null gives an empty stdin.</param>
/// <param name="Timeout">Wall-clock limit for <see cref="IProcessRunner.RunAsync"/>; null means none.</param>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string? WorkingDirectory = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? RunAsUser = null,
    string? StdinText = null,
    TimeSpan? Timeout = null)
{
    /// <summary>Convenience factory: <c>ProcessSpec.Of("psql", "-X", "-c", "select 1")</c>.</summary>
    public static ProcessSpec Of(string fileName, params string[] arguments) => new(fileName, arguments);

    // Records print every member by default; environment values may be secrets, so only names are shown.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("FileName = ").Append(FileName)
            .Append(", Arguments = [").AppendJoin(' ', Arguments).Append(']')
            .Append(", WorkingDirectory = ").Append(WorkingDirectory)
            .Append(", Environment = [").AppendJoin(',', Environment?.Keys ?? []).Append(']')
            .Append(", RunAsUser = ").Append(RunAsUser)
            .Append(", Timeout = ").Append(Timeout);
        return true;
    }
}
