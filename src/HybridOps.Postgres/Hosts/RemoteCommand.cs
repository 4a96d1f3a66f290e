using System.Globalization;
using System.Text;
using HybridOps.Postgres.Exec;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// The one string ssh hands to the login shell on the host, and the stdin that goes with it:
/// <code>
/// exec [sudo -n -u U --] env -i [HOME="$HOME" USER="$USER" LOGNAME="$LOGNAME"] 'PATH=...' 'LANG=C.UTF-8' 'K=V'...
///      [timeout -k 5 Ns] /bin/sh -c 'PREAMBLE; exec "$@"' hyops 'argv0' 'argv1'...
/// </code>
/// Every word is single-quoted (<see cref="ShellQuoting"/>), so the argv is never re-parsed.
/// <c>env -i</c> drops the login session's environment (the operator's PG* variables included).
/// The preamble sets HOME/USER/LOGNAME of a become target (<c>HOME=~postgres</c>), reads each
/// secret variable from one stdin line and exports it, and changes to the working directory;
/// the rest of stdin belongs to the command. Secret values thus never appear in any argv.
/// </summary>
public sealed record RemoteCommand(string CommandLine, string? Stdin, BecomePlan Become)
{
    /// <summary>Exit code of the preamble when a secret line could not be read from stdin.</summary>
    public const int SecretReadFailed = 125;

    /// <summary>Exit code of the preamble when the working directory does not exist.</summary>
    public const int WorkingDirectoryMissing = 126;

    /// <summary>Seconds coreutils timeout waits after SIGTERM before SIGKILL.</summary>
    public const int KillAfterSeconds = 5;

    public static RemoteCommand Build(SiteHost host, HostCommand command, string remotePath)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Argv.Count == 0 || string.IsNullOrEmpty(command.Argv[0]))
        {
            throw new ArgumentException("a host command needs at least a program name", nameof(command));
        }

        var become = BecomePlan.For(host, command.RunAs);
        var explicitEnv = command.Environment ?? new Dictionary<string, string>();
        var words = new List<string> { "exec" };
        words.AddRange(become.Prefix.Select(ShellQuoting.Quote));
        words.AddRange(["env", "-i"]);
        if (!become.Becomes)
        {
            // The login shell expands these: the login user's own identity, whatever ssh_config chose.
            words.AddRange(new[] { "HOME", "USER", "LOGNAME" }.Where(n => !explicitEnv.ContainsKey(n)).Select(n => $"{n}=\"${n}\""));
        }

        words.Add(ShellQuoting.Quote("PATH=" + remotePath));
        words.Add(ShellQuoting.Quote("LANG=C.UTF-8"));
        foreach (var (name, value) in explicitEnv.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            words.Add(ShellQuoting.Quote($"{HostNames.Variable(name)}={value}"));
        }

        if (command.Timeout is { } timeout)
        {
            words.AddRange(["timeout", "-k", KillAfterSeconds.ToString(CultureInfo.InvariantCulture),
                Math.Max(0.001, timeout.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture) + "s"]);
        }

        words.AddRange(["/bin/sh", "-c", ShellQuoting.Quote(Preamble(become, command, explicitEnv)), "hyops"]);
        words.AddRange(command.Argv.Select(ShellQuoting.Quote));
        return new RemoteCommand(string.Join(' ', words), StdinFor(command), become);
    }

    private static string Preamble(BecomePlan become, HostCommand command, IReadOnlyDictionary<string, string> explicitEnv)
    {
        var lines = new List<string>();
        if (become.Becomes && become.TargetUser is { } user)
        {
            // Tilde expansion in an assignment reads the target's home from the host's passwd, no fork.
            var identity = new[] { ("HOME", "~" + user), ("USER", user), ("LOGNAME", user) }.Where(v => !explicitEnv.ContainsKey(v.Item1)).ToList();
            if (identity.Count > 0)
            {
                lines.Add(string.Join(' ', identity.Select(v => $"{v.Item1}={v.Item2}")) + "; export " + string.Join(' ', identity.Select(v => v.Item1)));
            }
        }

        foreach (var name in (command.SecretEnvironment?.Keys ?? []).Order(StringComparer.Ordinal))
        {
            lines.Add($"IFS= read -r {HostNames.Variable(name)} || exit {SecretReadFailed}; export {name}");
        }

        if (command.WorkingDirectory is { } dir)
        {
            lines.Add($"cd {ShellQuoting.Quote(dir)} || exit {WorkingDirectoryMissing}");
        }

        lines.Add("exec \"$@\"");
        return string.Join("; ", lines);
    }

    private static string? StdinFor(HostCommand command)
    {
        if (command.SecretEnvironment is not { Count: > 0 } secrets)
        {
            return command.StdinText;
        }

        var text = new StringBuilder();
        foreach (var (name, value) in secrets.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"secret variable {name} holds a newline or NUL; secret values are single lines", nameof(command));
            }

            text.Append(value).Append('\n');
        }

        return text.Append(command.StdinText).ToString();
    }
}
