using HybridOps.Postgres.Exec;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// Runs pgbackrest with the module-owned config file (always <c>--config=FILE</c>, never
/// /etc/pgbackrest) as the database OS user. Non-zero exits are returned, not thrown, so callers
/// can record argv, rc and duration before deciding.
/// </summary>
public sealed class PgBackRestCli(IProcessRunner runner, string binary, string configPath, string stanza, string? runAsUser)
{
    public string ConfigPath => configPath;

    public string Stanza => stanza;

    /// <summary>The argv prefix every call uses; archive_command is built from the same pieces.</summary>
    public IReadOnlyList<string> BaseArguments => [$"--config={configPath}", $"--stanza={stanza}"];

    public string ArchivePushCommand => $"{binary} --config={configPath} --stanza={stanza} archive-push %p";

    public Task<ProcessResult> RunAsync(string command, IEnumerable<string> extraOptions, TimeSpan timeout, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var args = new List<string>(BaseArguments);
        args.AddRange(extraOptions);
        args.Add(command);
        return runner.RunAsync(new ProcessSpec(binary, args, WorkingDirectory: "/", Environment: environment, RunAsUser: runAsUser, Timeout: timeout), ct);
    }

    /// <summary>A command that takes arguments after its name (e.g. <c>repo-ls PATH</c>).</summary>
    public Task<ProcessResult> RunWithArgumentsAsync(string command, IEnumerable<string> extraOptions, IReadOnlyList<string> commandArguments, TimeSpan timeout, CancellationToken ct)
    {
        var args = new List<string>(BaseArguments);
        args.AddRange(extraOptions);
        args.Add(command);
        args.AddRange(commandArguments);
        return runner.RunAsync(new ProcessSpec(binary, args, WorkingDirectory: "/", RunAsUser: runAsUser, Timeout: timeout), ct);
    }
}
