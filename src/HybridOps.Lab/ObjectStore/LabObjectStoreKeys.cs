namespace HybridOps.Lab;

/// <summary>The lab object stores' credentials: the Azurite account key (base64) and the s3rver key pair.</summary>
public sealed record LabObjectStoreKeys(string AzureAccountKey, string S3AccessKey, string S3SecretKey)
{
    // The compiler-generated ToString would print the keys.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AzureAccountKey = ***, S3AccessKey = ***, S3SecretKey = ***");
        return true;
    }
}
