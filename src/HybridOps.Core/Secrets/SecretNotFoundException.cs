namespace HybridOps.Core.Secrets;

/// <summary>
/// A secret was looked up by key and found neither in the environment nor in the vault.
/// The message names the key and how to provide it; it never contains a value.
/// </summary>
public sealed class SecretNotFoundException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SecretNotFoundException()
        : base("secret not found")
    {
    }

    /// <summary>Creates an exception with a custom message.</summary>
    public SecretNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a custom message and its cause.</summary>
    public SecretNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private SecretNotFoundException(string keyName, bool _)
        : base($"secret {keyName} is not set: set environment variable {keyName} or run `hyops secrets set {keyName}`")
    {
        KeyName = keyName;
    }

    /// <summary>The missing key, when the exception was created by <see cref="ForKey"/>.</summary>
    public string? KeyName { get; }

    /// <summary>
    /// Creates the standard "not found" exception for <paramref name="keyName"/>. A factory rather
    /// than a constructor because <c>(string)</c> is already the conventional message constructor.
    /// </summary>
    public static SecretNotFoundException ForKey(string keyName)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        return new SecretNotFoundException(keyName, true);
    }
}
