using System.Text;

namespace HybridOps.Core.State;

/// <summary>
/// Writes files so a reader sees the old or the new content, never a torn one:
/// temp file in the same directory, fsync, rename. Content is redacted by value first.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content, Func<string, string> redact)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = Encoding.UTF8.GetBytes(redact(content));
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
