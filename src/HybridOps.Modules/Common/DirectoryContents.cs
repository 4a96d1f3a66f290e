namespace HybridOps.Modules.Common;

/// <summary>Empties a directory (files and subdirectories) and keeps the directory itself: a wiped data dir, a purged repository.</summary>
internal static class DirectoryContents
{
    public static void Delete(string dir)
    {
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo d)
            {
                d.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }
}
