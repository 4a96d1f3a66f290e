using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;

namespace HybridOps.Core.Runtime;

/// <summary>
/// Where hyops keeps state, logs, vault and locks: --root DIR, else $HYOPS_RUNTIME_ROOT,
/// else --env NAME -> ~/.hybridops/envs/NAME, else ~/.hybridops.
/// </summary>
public static partial class RuntimeRoot
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex EnvNamePattern();

    public static string Resolve(string? rootOption, string? envName, IEnvironmentReader env)
    {
        string root;
        if (!string.IsNullOrWhiteSpace(rootOption))
        {
            root = rootOption;
        }
        else if (env.Get("HYOPS_RUNTIME_ROOT") is { Length: > 0 } fromEnv)
        {
            root = fromEnv;
        }
        else
        {
            var home = env.Get("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrWhiteSpace(envName))
            {
                if (!EnvNamePattern().IsMatch(envName))
                {
                    throw HyopsException.From(DiagnosticCatalog.RuntimeRootInvalid, $"--env '{envName}' is not a valid environment name");
                }

                root = Path.Combine(home, ".hybridops", "envs", envName);
            }
            else
            {
                root = Path.Combine(home, ".hybridops");
            }
        }

        root = Path.GetFullPath(root);
        if (File.Exists(root))
        {
            throw HyopsException.From(DiagnosticCatalog.RuntimeRootInvalid, $"runtime root '{root}' is a file, not a directory");
        }

        return root;
    }
}
