namespace HybridOps.Postgres.Exec;

/// <summary>
/// POSIX single-quote quoting. Only used to build the tiny /bin/sh script that detaches a daemon
/// (a shell is the simplest way to get "&amp; echo $!" semantics); RunAsync never goes through a shell.
/// </summary>
internal static class ShellQuoting
{
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));
}
