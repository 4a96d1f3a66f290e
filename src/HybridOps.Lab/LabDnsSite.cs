namespace HybridOps.Lab;

/// <summary>How to reach the lab's PowerDNS authority (the API key is not here: it lives in the vault).</summary>
public sealed record LabDnsSite(string ApiUrl, string ServerId, string Zone, string DnsHost, int DnsPort, string ServiceRecord);
