namespace HybridOps.Lab;

/// <summary>Names and ports every lab shares: the DNS zone and service record, and the object stores' ports.</summary>
public static class LabTopology
{
    /// <summary>Zone the lab's DNS host is authoritative for.</summary>
    public const string DnsZone = "hyops.lab.";

    /// <summary>The service record pointing at the current primary.</summary>
    public const string ServiceRecord = "db.hyops.lab.";

    /// <summary>Azurite (Azure Blob) on the objstore host, over TLS.</summary>
    public const int AzurePort = 10000;

    /// <summary>s3rver (S3) on the objstore host, over TLS.</summary>
    public const int S3Port = 9000;
}
