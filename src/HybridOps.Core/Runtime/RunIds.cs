using System.Security.Cryptography;

namespace HybridOps.Core.Runtime;

/// <summary>Run ids sort by time and are unique: 20261121T160800Z-3fa2c1.</summary>
public static class RunIds
{
    public static string New(TimeProvider time) =>
        $"{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
