using HybridOps.Core.Tests.Cli;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Contracts.Upstream;

/// <summary>A temp content root holding the repository's modules and one fixture blueprint under its ref.</summary>
internal static class UpstreamContent
{
    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(RepoRoot.Path, "tests", "HybridOps.Core.Tests", "Contracts", "Upstream", "Fixtures", name));

    public static CliTestContent With(string blueprintRef, string fixture)
    {
        var content = new CliTestContent();
        var modules = Path.Combine(RepoRoot.Path, "modules");
        foreach (var spec in Directory.EnumerateFiles(modules, "spec.yml", SearchOption.AllDirectories))
        {
            content.Dir.Write(Path.Combine("content", "modules", Path.GetRelativePath(modules, spec)), File.ReadAllText(spec));
        }

        content.WriteBlueprint(blueprintRef, Fixture(fixture));
        return content;
    }
}
