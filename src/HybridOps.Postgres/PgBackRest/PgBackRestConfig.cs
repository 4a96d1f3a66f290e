using System.Text;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// Renders a pgbackrest.conf (INI): a [global] section (repository and paths) and one [stanza]
/// section (the PostgreSQL member). The repository's credentials (<see cref="RepoSecret"/>) go into
/// [global]: the file is the one place on a host that holds the repository key, so it is written
/// <see cref="FileMode"/> (0600) and owned by the service user. <see cref="Redacted"/> is the copy for
/// evidence. Keys are written in a stable (ordinal) order.
/// </summary>
public static class PgBackRestConfig
{
    /// <summary>0600: the file holds the repository key.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The file pgBackRest reads, credentials included.</summary>
    public static string Render(IReadOnlyDictionary<string, string> global, string stanza, IReadOnlyDictionary<string, string> stanzaOptions, IReadOnlyList<RepoSecret>? secrets = null) =>
        Render(global, stanza, stanzaOptions, secrets, reveal: true);

    /// <summary>The same text with each credential replaced by the NAME of the key it came from (for evidence).</summary>
    public static string Redacted(IReadOnlyDictionary<string, string> global, string stanza, IReadOnlyDictionary<string, string> stanzaOptions, IReadOnlyList<RepoSecret>? secrets = null) =>
        Render(global, stanza, stanzaOptions, secrets, reveal: false);

    private static string Render(IReadOnlyDictionary<string, string> global, string stanza, IReadOnlyDictionary<string, string> stanzaOptions, IReadOnlyList<RepoSecret>? secrets, bool reveal)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(stanzaOptions);
        ArgumentException.ThrowIfNullOrEmpty(stanza);
        var text = new StringBuilder();
        text.Append("# Written by hyops (platform/onprem/postgresql-ha-backup). Do not edit: the next run rewrites it.\n");
        var all = new Dictionary<string, string>(global, StringComparer.Ordinal);
        foreach (var secret in secrets ?? [])
        {
            all[secret.Option] = reveal ? secret.Value : $"<secret {secret.KeyName}>";
        }

        Section(text, "global", all);
        text.Append('\n');
        Section(text, stanza, stanzaOptions);
        return text.ToString();
    }

    /// <summary>Options pgBackRest 2.45 refuses on a command line ("could expose secrets in the process list"), secret or not (measured: each tried with `pgbackrest info`).</summary>
    public static readonly IReadOnlySet<string> CommandLineRefused = new HashSet<string>(StringComparer.Ordinal)
    {
        "repo1-azure-account", "repo1-azure-endpoint", "repo1-azure-key", "repo1-gcs-key", "repo1-s3-key", "repo1-s3-key-secret", "repo1-s3-token", "repo1-cipher-pass",
    };

    /// <summary>The options that may go on a command line; the others go to the environment (<see cref="EnvironmentName"/>).</summary>
    public static IEnumerable<KeyValuePair<string, string>> CommandLineSafe(IEnumerable<KeyValuePair<string, string>> options) =>
        options.Where(o => !CommandLineRefused.Contains(o.Key));

    /// <summary>repo1-s3-key -> PGBACKREST_REPO1_S3_KEY.</summary>
    public static string EnvironmentName(string option) => "PGBACKREST_" + option.Replace('-', '_').ToUpperInvariant();

    /// <summary>pgBackRest's process-max: <paramref name="requested"/> when above 0, else the host's cores, at most 8.</summary>
    public static string ProcessMax(int? requested, int hostCores) =>
        (requested is > 0 ? requested.Value : Math.Clamp(hostCores, 1, 8)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Section(StringBuilder text, string name, IReadOnlyDictionary<string, string> options)
    {
        text.Append('[').Append(name).Append("]\n");
        foreach (var (key, value) in options.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (key.Contains('=', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"option '{key}' cannot be written to an INI file", nameof(options));
            }

            text.Append(key).Append('=').Append(value).Append('\n');
        }
    }
}
