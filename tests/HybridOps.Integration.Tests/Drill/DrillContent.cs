using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>
/// A content root for test blueprints: the repository's modules/ plus this project's Content/blueprints/,
/// joined by symlinks in a temp dir, so test-only blueprints never ship in the product's blueprints/.
/// </summary>
internal static class DrillContent
{
    public const string Blueprint = "test/drill-dns-republish@v1";

    public static string Create(string parentDir)
    {
        var root = Path.Combine(parentDir, "content");
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "modules"), Path.Combine(Site.RepoRoot, "modules"));
        Directory.CreateSymbolicLink(Path.Combine(root, "blueprints"),
            Path.Combine(Site.RepoRoot, "tests", "HybridOps.Integration.Tests", "Content", "blueprints"));
        return root;
    }
}
