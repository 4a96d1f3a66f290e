namespace HybridOps.Lab;

/// <summary>Last lines of a daemon log, attached to errors so a failed `up` explains itself.</summary>
internal static class LogTail
{
    public static string Read(string path, int lines = 15)
    {
        try
        {
            var tail = File.ReadLines(path).TakeLast(lines);
            return $"--- last lines of {path} ---\n{string.Join('\n', tail)}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"({path} unreadable: {e.Message})";
        }
    }
}
