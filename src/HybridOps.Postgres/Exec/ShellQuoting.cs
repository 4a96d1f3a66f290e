namespace HybridOps.Postgres.Exec;

/// <summary>
/// POSIX single-quote quoting. Only used to build tiny /bin/sh scripts (detaching a daemon, a lab host's init)
/// (a shell is the simplest way to get "&amp; echo $!" semantics); RunAsync never goes through a shell.
/// </summary>
public static class ShellQuoting
{
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Join(IEnumerable<string> argv) => string.Join(' ', argv.Select(Quote));
}
