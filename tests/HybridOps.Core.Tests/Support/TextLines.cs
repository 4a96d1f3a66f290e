using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Tests.Support;

internal static class TextLines
{
    /// <summary>1-based number of the first line of <paramref name="text"/> containing <paramref name="needle"/>.</summary>
    public static int LineOf(string text, string needle, int occurrence = 1)
    {
        var lines = text.Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(needle, StringComparison.Ordinal) && ++seen == occurrence)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"'{needle}' not found");
    }

    /// <summary>The single diagnostic with <paramref name="code"/> among those of <paramref name="ex"/>.</summary>
    public static Diagnostic Single(this HyopsException ex, string code)
    {
        var matching = ex.Diagnostics.Where(d => d.Code == code).ToList();
        matching.Count.ShouldBe(1, $"expected one {code} among: {string.Join(" | ", ex.Diagnostics)}");
        return matching[0];
    }
}
