namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// pgBackRest numbers its repositories (repo1, repo2, ...). An object-repo/v1 contract publishes its options
/// and credentials as repo1-*; a second repository of the same cluster is the same options renumbered.
/// </summary>
public static class RepoIndex
{
    private const string Repo1 = "repo1-";

    /// <summary>The options with every repo1-* key renamed repo<paramref name="index"/>-*; other keys (e.g. io-timeout) unchanged.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Renumber(IEnumerable<KeyValuePair<string, string>> options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        return options.Select(o => new KeyValuePair<string, string>(Option(o.Key, index), o.Value));
    }

    /// <summary>The credential with its option renumbered.</summary>
    public static RepoSecret Renumber(RepoSecret secret, int index)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret with { Option = Option(secret.Option, index) };
    }

    /// <summary>repo1-s3-bucket -> repo2-s3-bucket for index 2.</summary>
    public static string Option(string key, int index)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith(Repo1, StringComparison.Ordinal) ? $"repo{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{key[Repo1.Length..]}" : key;
    }
}
