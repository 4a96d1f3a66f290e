using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// Creates directories and files owned by the database OS user with an exact mode. When root this
/// uses coreutils <c>install</c> (the one tool that sets owner, group and mode in one step); when not
/// root, files belong to the current user and only the mode is set.
/// </summary>
public sealed class OwnedPaths(IProcessRunner runner, string owner)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task EnsureDirectoryAsync(string path, UnixFileMode mode, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ProcessIdentity.IsRoot)
        {
            (await runner.RunAsync(new ProcessSpec("install", ["-d", "-m", Octal(mode), "-o", owner, "-g", owner, path], Timeout: Timeout), ct)).EnsureSuccess();
            return;
        }

        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    public async Task WriteFileAsync(string path, string content, UnixFileMode mode, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var staging = path + ".hyops-tmp";
        await File.WriteAllTextAsync(staging, content, ct);
        try
        {
            if (ProcessIdentity.IsRoot)
            {
                // install copies to a temporary name in the target directory and renames: atomic for readers.
                (await runner.RunAsync(new ProcessSpec("install", ["-m", Octal(mode), "-o", owner, "-g", owner, staging, path], Timeout: Timeout), ct)).EnsureSuccess();
            }
            else
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(staging, mode);
                }

                File.Move(staging, path, overwrite: true);
            }
        }
        finally
        {
            File.Delete(staging);
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0').ToString(CultureInfo.InvariantCulture);
}
