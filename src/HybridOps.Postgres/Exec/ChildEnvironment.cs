namespace HybridOps.Postgres.Exec;

/// <summary>
/// The environment every child process starts from: nothing of hyops' own environment but the few
/// variables a program needs to run at all. The operator's PG* variables (PGPASSWORD, PGHOST,
/// PGSERVICE...), cloud credentials, PATRONI_* and ETCD_* never reach a child unless a caller
/// passes them explicitly in <see cref="ProcessSpec.Environment"/>.
/// </summary>
public static class ChildEnvironment
{
    /// <summary>PATH when hyops itself has none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The variables copied from hyops' environment when set (USER/LOGNAME are replaced when switching user).</summary>
    public static readonly IReadOnlyList<string> Inherited = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "LOGNAME"];

    /// <summary>The base environment, read from <paramref name="lookup"/> (the process environment by default).</summary>
    public static Dictionary<string, string> Base(Func<string, string?>? lookup = null)
    {
        lookup ??= Environment.GetEnvironmentVariable;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Inherited)
        {
            if (lookup(name) is { Length: > 0 } value)
            {
                env[name] = value;
            }
        }

        env.TryAdd("PATH", DefaultPath);
        return env;
    }
}
