namespace HybridOps.Core.Secrets;

/// <summary>
/// Reads environment variables. Abstracted so secret resolution can be tested without
/// mutating the real process environment (which is global and shared by parallel tests).
/// </summary>
public interface IEnvironmentReader
{
    /// <summary>Returns the variable's value, or null when it is not set.</summary>
    string? Get(string name);
}
