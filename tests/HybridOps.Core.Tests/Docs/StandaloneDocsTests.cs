using System.Text.RegularExpressions;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Docs;

/// <summary>
/// The README and docs/ ship in the release tarball, so they must stand alone: nothing points outside
/// the repository, and the clauses CONFORMANCE.md maps to tests are all stated in docs/clauses.md.
/// </summary>
public sealed partial class StandaloneDocsTests
{
    private static IEnumerable<string> ProductDocs() =>
        [Path.Combine(RepoRoot.Path, "README.md"), .. Directory.EnumerateFiles(Path.Combine(RepoRoot.Path, "docs"), "*.md").Order(StringComparer.Ordinal)];

    [Fact]
    public void ReadmeAndDocs_NeverPointOutsideTheRepository()
    {
        var offending = ProductDocs()
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, n: i + 1)))
            .Where(x => OutsideReference().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoRoot.Path, x.file)}:{x.n}: {x.line.Trim()}")
            .ToList();

        offending.ShouldBeEmpty();
    }

    [Fact]
    public void EveryClauseIdInConformance_IsStatedInClausesMd()
    {
        var stated = ClauseRowId().Matches(File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "clauses.md")))
            .Select(m => m.Groups["id"].Value).ToHashSet(StringComparer.Ordinal);
        var mapped = ClauseId().Matches(File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "CONFORMANCE.md")))
            .Select(m => m.Value).Distinct(StringComparer.Ordinal).ToList();

        mapped.Count.ShouldBeGreaterThan(0);
        mapped.Where(id => !stated.Contains(id)).ShouldBeEmpty();
    }

    [Fact]
    public void EveryClauseStatedInClausesMd_HasARowInConformance()
    {
        var conformance = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "CONFORMANCE.md"));
        var stated = ClauseRowId().Matches(File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "clauses.md")))
            .Select(m => m.Groups["id"].Value).ToList();

        stated.Count.ShouldBeGreaterThan(0);
        stated.Where(id => !conformance.Contains($"| {id} |", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    /// <summary>A path into the workspace beside the repository: ../shared, the seed contracts, the design notes, the clause list.</summary>
    [GeneratedRegex(@"\.\./shared\b|(^|[^a-z/])shared/(seeds|conformance|DESIGN)|\bseeds/|DESIGN\.md|clauses\.yml")]
    private static partial Regex OutsideReference();

    [GeneratedRegex(@"\b(SRC|MDR|FBK|LAN|PRM)-[0-9]+(\.[0-9]+)?[a-z]?\b")]
    private static partial Regex ClauseId();

    [GeneratedRegex(@"^\| (?<id>(SRC|MDR|FBK|LAN|PRM)-[0-9]+(\.[0-9]+)?[a-z]?) \|", RegexOptions.Multiline)]
    private static partial Regex ClauseRowId();
}
