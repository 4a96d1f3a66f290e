namespace HybridOps.Modules.Common;

/// <summary>The end of a log file for a failure message or evidence; never throws.</summary>
internal static class FileTail
{
    /// <summary>The last <paramref name="chars"/> characters of <paramref name="file"/>, or "" when it cannot be read.</summary>
    public static string Read(string file, int chars = 1500)
    {
        try
        {
            var text = File.ReadAllText(file);
            return text.Length > chars ? text[^chars..] : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
