using System.Text;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// The text of a <see cref="ServiceUnit.EnvironmentFile"/>: <c>KEY='value'</c> lines, which both
/// systemd's EnvironmentFile= and a POSIX shell's <c>.</c> read the same way. Write it with
/// <see cref="IHostExecutor.PutFileAsync"/> as 0600 owned by the service user.
/// </summary>
public static class ServiceEnvironmentFile
{
    public static string Render(IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var text = new StringBuilder("# Written by hyops.\n");
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (value.IndexOfAny(['\'', '\n', '\0', '\\', '$']) >= 0)
            {
                throw new ArgumentException($"{name}: a service environment value may not contain a single quote, backslash, $ or newline (systemd and sh would read it differently)", nameof(variables));
            }

            text.Append(HostNames.Variable(name)).Append("='").Append(value).Append("'\n");
        }

        return text.ToString();
    }
}
