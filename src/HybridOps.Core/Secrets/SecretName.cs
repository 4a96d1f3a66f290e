namespace HybridOps.Core.Secrets;

/// <summary>
/// Rules for vault secret names: env-key style, <c>^[A-Z][A-Z0-9_]{0,127}$</c>.
/// The same name is used as the environment variable that overrides the vault entry,
/// so a name must be something a shell can export.
/// </summary>
public static class SecretName
{
    /// <summary>Longest accepted name.</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="name"/> is a valid secret name.</summary>
    public static bool IsValid(string? name)
    {
        // Hand-written instead of a Regex: .NET's `$` also matches before a trailing "\n",
        // and a char loop makes the exact accepted alphabet obvious.
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] is < 'A' or > 'Z')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is not valid.</summary>
    public static void Validate(string? name, string paramName)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"invalid secret name '{name}': names must match ^[A-Z][A-Z0-9_]{{0,127}}$ (upper-case letters, digits and '_', starting with a letter), e.g. HCLOUD_TOKEN",
                paramName);
        }
    }
}
