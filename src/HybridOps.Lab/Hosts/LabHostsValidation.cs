using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Lab.Hosts;

/// <summary>Checks a lab hosts request before anything is created (a clear HYO2094 instead of a half-built lab).</summary>
internal static partial class LabHostsValidation
{
    public static void Validate(string labDir, int block, IReadOnlyList<string> hostNames)
    {
        ValidateLabDir(labDir);
        if (block is < LabAddressPlan.MinBlock or > LabAddressPlan.MaxBlock)
        {
            throw Invalid($"block {block} is outside {LabAddressPlan.MinBlock}..{LabAddressPlan.MaxBlock} (169.254.250.16k/28; block 15 would hold .254)");
        }

        if (hostNames.Count is 0 or > LabAddressPlan.MaxHosts)
        {
            throw Invalid($"{hostNames.Count} host names given; a block holds 1..{LabAddressPlan.MaxHosts} hosts");
        }

        foreach (var name in hostNames)
        {
            ValidateName(name);
        }

        var duplicate = hostNames.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid($"host name '{duplicate.Key}' is given twice");
        }
    }

    public static void ValidateLabDir(string labDir)
    {
        if (!Path.IsPathFullyQualified(labDir) || labDir.IndexOfAny([',', ':', ' ', '\t', '\n', '\'']) >= 0)
        {
            throw Invalid($"lab dir '{labDir}' must be an absolute path without ',', ':', quotes or spaces (it goes into overlay mount options)");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(labDir)) + "/";
        var parent = LabHostMounts.ForbiddenLabDirParents.FirstOrDefault(p => full.StartsWith(p + "/", StringComparison.Ordinal));
        if (parent is not null)
        {
            throw Invalid($"lab dir '{labDir}' is under {parent}, which every lab host replaces with its own; use a dir under /tmp or /var/tmp");
        }
    }

    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name) || name == LabHostSet.HyopsSide)
        {
            throw Invalid($"host name '{name}' must match [a-z][a-z0-9-]{{0,30}} and not be '{LabHostSet.HyopsSide}'");
        }
    }

    private static HyopsException Invalid(string message) => HyopsException.From(DiagnosticCatalog.LabHostsInputInvalid, message);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}$")]
    private static partial Regex NamePattern();
}
