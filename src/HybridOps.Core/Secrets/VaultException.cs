namespace HybridOps.Core.Secrets;

/// <summary>
/// The vault cannot be opened, read or written, or its password cannot be obtained.
/// Messages are written for the operator and never contain secret values or the output
/// of a password command.
/// </summary>
public sealed class VaultException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public VaultException()
        : base("vault error")
    {
    }

    /// <summary>Creates an exception with an operator-facing message.</summary>
    public VaultException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with an operator-facing message and its cause.</summary>
    public VaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
