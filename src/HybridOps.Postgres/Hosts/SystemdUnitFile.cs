using System.Text;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// The unit file hyops writes for a <see cref="ServiceUnit"/>: /etc/systemd/system/hyops-NAME.service.
/// ExecStart words are double-quoted with systemd's escapes (\\ and \"), and % and $ are doubled so
/// neither specifiers nor variables are expanded: the argv runs exactly as given.
/// </summary>
public static class SystemdUnitFile
{
    public static string UnitName(string name) => $"hyops-{ServiceUnit.ValidateName(name)}.service";

    public static string PathOf(string name) => $"/etc/systemd/system/{UnitName(name)}";

    public static string Render(ServiceUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        unit.Validate();
        var text = new StringBuilder()
            .Append("# Written by hyops (service ").Append(unit.Name).Append("); hyops rewrites it on the next start.\n")
            .Append("[Unit]\n")
            .Append("Description=").Append(Escape(unit.Description ?? $"hyops service {unit.Name}")).Append('\n')
            .Append("After=network-online.target\nWants=network-online.target\n\n")
            .Append("[Service]\n")
            .Append("Type=simple\n")
            .Append("User=").Append(unit.User).Append('\n')
            .Append("WorkingDirectory=").Append(Escape(unit.WorkingDirectory ?? "/")).Append('\n');
        if (unit.EnvironmentFile is { } envFile)
        {
            text.Append("EnvironmentFile=").Append(Escape(envFile)).Append('\n');
        }

        return text
            .Append("ExecStart=").AppendJoin(' ', unit.Argv.Select(Quote)).Append('\n')
            .Append("StandardOutput=append:").Append(Escape(unit.LogFile)).Append('\n')
            .Append("StandardError=append:").Append(Escape(unit.LogFile)).Append('\n')
            .Append("Restart=no\n")
            .Append("KillMode=mixed\n\n")
            .Append("[Install]\nWantedBy=multi-user.target\n")
            .ToString();
    }

    /// <summary>One ExecStart word: "..." with \ and " escaped, % and $ doubled.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return "\"" + Escape(word).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    private static string Escape(string value) =>
        value.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
}
