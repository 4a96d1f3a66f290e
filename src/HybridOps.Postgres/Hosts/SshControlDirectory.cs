namespace HybridOps.Postgres.Hosts;

/// <summary>
/// The private directory of an executor's ssh control sockets. A given directory is used as is
/// (created 0700 when missing); otherwise a fresh short /tmp/hyops-ssh-XXXXXXXX is created on first
/// use and removed on dispose. Short because a unix socket path has at most 108 bytes and %C adds 40.
/// </summary>
internal sealed class SshControlDirectory(string? given) : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly Lazy<string> _path = new(() => Create(given));

    public string Path => _path.Value;

    public bool HasSockets => _path.IsValueCreated && Directory.Exists(_path.Value) && Directory.EnumerateFileSystemEntries(_path.Value).Any();

    public void Dispose()
    {
        if (given is null && _path.IsValueCreated && Directory.Exists(_path.Value))
        {
            Directory.Delete(_path.Value, recursive: true);
        }
    }

    private static string Create(string? given)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("ssh control sockets need a unix system");
        }

        if (given is not null)
        {
            Directory.CreateDirectory(given, Private);
            return given;
        }

        // Not TMPDIR: it may be long. A random name that does not exist yet, then checked to be a
        // real 0700 directory (not somebody else's symlink).
        string path;
        do
        {
            path = System.IO.Path.Combine("/tmp", "hyops-ssh-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)));
        }
        while (Directory.Exists(path) || File.Exists(path));

        var info = Directory.CreateDirectory(path, Private);
        if (info.LinkTarget is not null || info.UnixFileMode != Private)
        {
            throw new IOException($"ssh control directory {path} is not a private directory");
        }

        return path;
    }
}
