namespace HybridOps.Postgres.Exec;

/// <summary>
/// Turns <see cref="ProcessSpec.RunAsUser"/> into an argv prefix and an environment. Rules:
/// root + RunAsUser → <c>setpriv --reuid=U --regid=U --init-groups --</c> (setpriv execs the target,
/// so pids stay the target's pid); RunAsUser equal to the current user → run directly; any other
/// non-root case → run directly as ourselves (we cannot switch user without privileges, and sudo
/// prompts would hang a non-interactive run).
/// </summary>
internal static class UserSwitch
{
    public const string SetPriv = "/usr/bin/setpriv";

    public static bool ShouldSwitch(ProcessSpec spec) =>
        !string.IsNullOrEmpty(spec.RunAsUser)
        && ProcessIdentity.IsRoot
        && !string.Equals(spec.RunAsUser, "root", StringComparison.Ordinal);

    /// <summary>Full argv for the spec, including the setpriv prefix when switching user.</summary>
    public static List<string> BuildArgv(ProcessSpec spec)
    {
        var argv = new List<string>();
        if (ShouldSwitch(spec))
        {
            argv.AddRange([SetPriv, $"--reuid={spec.RunAsUser}", $"--regid={spec.RunAsUser}", "--init-groups", "--"]);
        }

        argv.Add(spec.FileName);
        argv.AddRange(spec.Arguments);
        return argv;
    }

    /// <summary>
    /// The child's whole environment: <see cref="ChildEnvironment.Base"/> plus the spec's own
    /// variables. setpriv keeps the environment, so HOME/USER/LOGNAME would still point at root;
    /// tools like psql then try to read /root files. Set them for the target user unless the caller
    /// chose values.
    /// </summary>
    public static Dictionary<string, string> BuildEnvironment(ProcessSpec spec)
    {
        var env = ChildEnvironment.Base();
        if (ShouldSwitch(spec))
        {
            var home = LookupHome(spec.RunAsUser!) ?? "/";
            env["HOME"] = home;
            env["USER"] = spec.RunAsUser!;
            env["LOGNAME"] = spec.RunAsUser!;
        }

        foreach (var (key, value) in spec.Environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        return env;
    }

    private static string? LookupHome(string user)
    {
        // /etc/passwd: name:pw:uid:gid:gecos:home:shell. NSS users (LDAP) fall back to "/".
        const string passwd = "/etc/passwd";
        if (!File.Exists(passwd))
        {
            return null;
        }

        foreach (var line in File.ReadLines(passwd))
        {
            var fields = line.Split(':');
            if (fields.Length >= 7 && fields[0] == user)
            {
                return fields[5];
            }
        }

        return null;
    }
}
