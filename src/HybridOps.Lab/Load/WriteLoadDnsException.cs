namespace HybridOps.Lab.Load;

/// <summary>The service record did not resolve (no answer, NXDOMAIN or no A record).</summary>
public sealed class WriteLoadDnsException(string message) : Exception(message);
