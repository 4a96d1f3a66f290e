namespace HybridOps.Lab;

/// <summary>
/// One object store of the lab, as a repository consumer needs it (no secret): backend (azure | s3),
/// the TLS endpoint, the bucket/container, the lab CA, and for azure the account name.
/// </summary>
public sealed record LabObjectStoreSite(string Backend, string Host, int Port, string Bucket, string CaFile, string? Account)
{
    /// <summary>The lab's one bucket (s3) / container (azure).</summary>
    public const string BucketName = "hyops-repo";

    /// <summary>Azurite's storage account (its key is <see cref="LabObjectStoreKeys.AzureAccountKey"/>).</summary>
    public const string AzureAccount = "hyopslab";
}
