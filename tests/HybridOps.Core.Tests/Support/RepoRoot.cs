namespace HybridOps.Core.Tests.Support;

/// <summary>The repository checkout these tests run from (the directory holding hyops.slnx).</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "hyops.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no hyops.slnx above {AppContext.BaseDirectory}");
    }
}
