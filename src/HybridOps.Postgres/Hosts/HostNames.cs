using System.Text.RegularExpressions;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// Validation of the words that reach a remote shell unquoted or an ssh option position: user
/// names (tilde expansion in the become preamble), variable names, and ssh destinations (which must
/// not look like an option).
/// </summary>
internal static partial class HostNames
{
    public static string User(string user, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(user, what);
        return UserPattern().IsMatch(user) ? user : throw new ArgumentException($"{what} '{user}' is not a valid user name ([a-z_][a-z0-9_.-]*, at most 32 characters)", what);
    }

    public static string Variable(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return VariablePattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)", nameof(name));
    }

    public static string NotAnOption(string value, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, what);
        return value.StartsWith('-') || value.Any(char.IsWhiteSpace)
            ? throw new ArgumentException($"{what} '{value}' must not start with '-' or contain spaces", what)
            : value;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();
}
