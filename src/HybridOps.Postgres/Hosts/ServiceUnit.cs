using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// A long-running program on a host as a service manager runs it: started as <see cref="User"/>,
/// stdout and stderr appended to <see cref="LogFile"/>. Secrets never go in <see cref="Argv"/>:
/// they sit in <see cref="EnvironmentFile"/>, a 0600 file owned by the service user on the host
/// (KEY='value' lines, see <see cref="ServiceEnvironmentFile"/>).
/// </summary>
/// <param name="Name">[a-z0-9][a-z0-9_.-]{0,62}; the manager's own name for it (systemd unit hyops-NAME.service).</param>
public sealed partial record ServiceUnit(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("argv")] IReadOnlyList<string> Argv,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("log_file")] string LogFile)
{
    [JsonPropertyName("working_directory")]
    public string? WorkingDirectory { get; init; }

    [JsonPropertyName("environment_file")]
    public string? EnvironmentFile { get; init; }

    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong; returns this otherwise.</summary>
    public ServiceUnit Validate()
    {
        ValidateName(Name);
        if (Argv is not { Count: > 0 } || string.IsNullOrEmpty(Argv[0]))
        {
            throw new ArgumentException($"service {Name}: argv needs at least a program", nameof(Argv));
        }

        HostNames.User(User, nameof(User));
        foreach (var path in new[] { LogFile, WorkingDirectory, EnvironmentFile }.OfType<string>())
        {
            if (!path.StartsWith('/'))
            {
                throw new ArgumentException($"service {Name}: '{path}' must be an absolute path on the host", nameof(LogFile));
            }
        }

        var all = Argv.Concat(new[] { LogFile, WorkingDirectory, EnvironmentFile, Description }.OfType<string>());
        return all.Any(v => v.Contains('\n', StringComparison.Ordinal) || v.Contains('\0', StringComparison.Ordinal))
            ? throw new ArgumentException($"service {Name}: no value may contain a newline or NUL", nameof(Argv))
            : this;
    }

    /// <summary>Whether <paramref name="name"/> is a service name every service manager accepts ([a-z0-9][a-z0-9_.-]{0,62}).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static string ValidateName(string name) =>
        IsValidName(name)
            ? name
            : throw new ArgumentException($"service name '{name}' is not [a-z0-9][a-z0-9_.-]{{0,62}}", nameof(name));

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
