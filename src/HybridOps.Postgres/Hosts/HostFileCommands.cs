namespace HybridOps.Postgres.Hosts;

/// <summary>
/// The commands behind <see cref="IHostExecutor.PutFileAsync"/> and <see cref="IHostExecutor.GetFileAsync"/>,
/// the same for every transport. Content travels base64 on stdin (any bytes, never in argv).
/// </summary>
public static class HostFileCommands
{
    /// <summary>Exit code of the get command when the file does not exist.</summary>
    public const int Absent = 3;

    // mktemp creates the temp file 0600 in the target's directory; owner and mode are set before a
    // byte is written and the rename makes it visible at once. The trap removes it on any failure.
    private const string PutScript =
        "set -e; t=$(mktemp \"$(dirname -- \"$1\")/.hyops-put.XXXXXXXX\"); trap 'rm -f -- \"$t\"' EXIT; "
        + "chown -- \"$2:$3\" \"$t\"; chmod -- \"$4\" \"$t\"; base64 -d > \"$t\"; mv -f -- \"$t\" \"$1\"";

    private const string GetScript = "[ -e \"$1\" ] || exit 3; base64 -w 0 -- \"$1\"";

    public static HostCommand Put(SiteHost host, string path, ReadOnlyMemory<byte> content, string owner, string group, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(host);
        RequireAbsolute(path);
        HostNames.User(owner, nameof(owner));
        HostNames.User(group, nameof(group));
        return new HostCommand(["/bin/sh", "-c", PutScript, "hyops-put", path, owner, group, Octal(mode)])
        {
            RunAs = AsWhom(host, owner),
            StdinText = Convert.ToBase64String(content.Span) + "\n",
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public static HostCommand Get(string path)
    {
        RequireAbsolute(path);
        return new HostCommand(["/bin/sh", "-c", GetScript, "hyops-get", path]) { RunAs = HostCommand.Root, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The file's bytes from a get result; null when absent; throws when the get failed otherwise.</summary>
    public static byte[]? ReadGet(HostResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.ExitCode == Absent ? null : Convert.FromBase64String(result.EnsureSuccess().StdOut.Trim());
    }

    /// <summary>A file owned by the login user is written as the login user; anything else needs root.</summary>
    private static string? AsWhom(SiteHost host, string owner) =>
        host.KnownLoginUser == owner && host.Transport != SiteHost.LocalTransport ? null : HostCommand.Root;

    private static void RequireAbsolute(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/') || path.EndsWith('/'))
        {
            throw new ArgumentException($"'{path}' must be an absolute file path on the host", nameof(path));
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
