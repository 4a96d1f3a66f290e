using System.Text;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// Renders a pgbackrest.conf (INI): a [global] section (repository and paths) and one [stanza]
/// section (the PostgreSQL member). Holds no secrets: repository credentials reach pgBackRest only
/// through PGBACKREST_* environment variables. Keys are written in a stable (ordinal) order.
/// </summary>
public static class PgBackRestConfig
{
    public static string Render(IReadOnlyDictionary<string, string> global, string stanza, IReadOnlyDictionary<string, string> stanzaOptions)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(stanzaOptions);
        ArgumentException.ThrowIfNullOrEmpty(stanza);
        var text = new StringBuilder();
        text.Append("# Written by hyops (platform/onprem/postgresql-ha-backup). Do not edit: the next run rewrites it.\n");
        Section(text, "global", global);
        text.Append('\n');
        Section(text, stanza, stanzaOptions);
        return text.ToString();
    }

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
