namespace HybridOps.Core.Secrets;

/// <summary>The production <see cref="IEnvironmentReader"/>: the real process environment.</summary>
public sealed class ProcessEnvironmentReader : IEnvironmentReader
{
    /// <summary>Shared instance; the type is stateless.</summary>
    public static ProcessEnvironmentReader Instance { get; } = new();

    /// <inheritdoc />
    public string? Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Environment.GetEnvironmentVariable(name);
    }
}
