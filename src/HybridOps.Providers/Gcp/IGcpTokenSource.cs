namespace HybridOps.Providers.Gcp;

/// <summary>An OAuth access token for the Google APIs. The token is held in memory only and never written anywhere.</summary>
public interface IGcpTokenSource
{
    Task<string> GetAccessTokenAsync(CancellationToken cancellationToken);
}
