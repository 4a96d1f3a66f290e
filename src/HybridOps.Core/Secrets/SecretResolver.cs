using System.Diagnostics.CodeAnalysis;

namespace HybridOps.Core.Secrets;

/// <summary>
/// Resolves secrets by key: the environment first (so CI and one-off overrides win without
/// touching the vault), then the vault. Every value returned is registered with the
/// <see cref="Redactor"/> first, so nothing downstream can print it.
/// </summary>
public sealed class SecretResolver
{
    // Substrings that mark an input key as carrying a secret. Keys are matched after '-' is
    // normalised to '_', so "api-key" and "password-env" behave like their snake_case forms.
    private static readonly string[] SecretInputMarkers =
    [
        "password", "passwd", "secret", "token", "api_key", "apikey", "private_key", "credential",
    ];

    private readonly IEnvironmentReader _environment;
    private readonly Lazy<Vault?> _vault;
    private readonly Redactor _redactor;

    /// <summary>
    /// Creates a resolver. <paramref name="vaultFactory"/> is invoked at most once and only when a
    /// key is missing from the environment, so runs that get every secret from env never need a
    /// vault password; it may return null when no vault password is configured.
    /// </summary>
    public SecretResolver(IEnvironmentReader env, Func<Vault?> vaultFactory, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(vaultFactory);
        ArgumentNullException.ThrowIfNull(redactor);
        _environment = env;
        _vault = new Lazy<Vault?>(vaultFactory, LazyThreadSafetyMode.ExecutionAndPublication);
        _redactor = redactor;
    }

    /// <summary>Returns the secret for <paramref name="envKeyName"/>.</summary>
    /// <exception cref="SecretNotFoundException">Neither the environment nor the vault has it.</exception>
    /// <exception cref="VaultException">The vault was needed but could not be opened.</exception>
    public string Resolve(string envKeyName) =>
        TryResolve(envKeyName, out var value) ? value : throw SecretNotFoundException.ForKey(envKeyName);

    /// <summary>Looks up <paramref name="envKeyName"/>; false when it is absent everywhere.</summary>
    /// <exception cref="VaultException">The vault was needed but could not be opened.</exception>
    public bool TryResolve(string envKeyName, [NotNullWhen(true)] out string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(envKeyName);

        // An empty variable counts as unset: CI systems commonly define secrets as "" when absent,
        // and an empty credential is never what the operator meant.
        var fromEnv = _environment.Get(envKeyName);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            _redactor.Register(fromEnv);
            value = fromEnv;
            return true;
        }

        // Keys that are not valid vault names (e.g. lower-case env vars) can only come from env;
        // asking the vault would throw ArgumentException for what is simply "not found".
        if (SecretName.IsValid(envKeyName) && _vault.Value is { } vault && vault.TryGet(envKeyName, out var fromVault))
        {
            _redactor.Register(fromVault);
            value = fromVault;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// True when an input key looks like it carries a secret (contains password, passwd, secret,
    /// token, api_key, apikey, private_key or credential, case-insensitively) and is not an
    /// indirection ending in <c>_env</c>. The input resolver uses this to reject literal secrets in
    /// inputs: those would end up in state and evidence files; inputs must name a key instead.
    /// </summary>
    public static bool LooksLikeSecretInputName(string inputKey)
    {
        ArgumentNullException.ThrowIfNull(inputKey);
        var normalized = inputKey.Replace('-', '_');
        if (normalized.EndsWith("_env", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var marker in SecretInputMarkers)
        {
            if (normalized.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
