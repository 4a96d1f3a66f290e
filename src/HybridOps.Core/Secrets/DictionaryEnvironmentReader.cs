namespace HybridOps.Core.Secrets;

/// <summary>
/// An in-memory <see cref="IEnvironmentReader"/>. Used by tests and by embedded hosts
/// (e.g. the lab) that want to hand a fixed environment to the runtime without touching
/// the process environment.
/// </summary>
public sealed class DictionaryEnvironmentReader : IEnvironmentReader
{
    // Ordinal: environment variable names are case-sensitive on Unix, which is where hyops runs.
    private readonly Dictionary<string, string> _values;

    /// <summary>Creates an empty environment.</summary>
    public DictionaryEnvironmentReader()
    {
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Creates an environment holding a copy of <paramref name="values"/>.</summary>
    public DictionaryEnvironmentReader(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    /// <summary>Sets (or with null, unsets) a variable. Returns this for fluent setup.</summary>
    public DictionaryEnvironmentReader Set(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (value is null)
        {
            _values.Remove(name);
        }
        else
        {
            _values[name] = value;
        }

        return this;
    }

    /// <inheritdoc />
    public string? Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }
}
