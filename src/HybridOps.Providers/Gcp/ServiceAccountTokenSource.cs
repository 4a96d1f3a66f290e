using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// Tokens from a service-account JSON key file (the path is the value of the env key the settings name),
/// loaded with Google.Apis.Auth's CredentialFactory and scoped to cloud-platform. The signed JWT goes to
/// the key's token_uri (oauth2.googleapis.com in production; the loopback fake in tests); the library
/// caches the token and refreshes it before it expires. Nothing of the key or the token leaves this type.
/// </summary>
public sealed class ServiceAccountTokenSource(Func<string> keyFilePath) : IGcpTokenSource
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private ITokenAccess? credential;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var access = await CredentialAsync(cancellationToken);
        try
        {
            return await access.GetAccessTokenForRequestAsync(null, cancellationToken);
        }
        catch (TokenResponseException ex)
        {
            // The token endpoint's own error code (invalid_grant, ...) names the cause; its description may quote the request, so it is not echoed.
            throw HyopsException.From(DiagnosticCatalog.GcpTokenExchangeFailed,
                $"the token endpoint refused the service-account assertion: {ex.Error?.Error ?? "unknown"} {ex.Error?.ErrorDescription} (HTTP {(int?)ex.StatusCode})");
        }
        catch (HttpRequestException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.GcpTokenExchangeFailed, $"the token endpoint could not be reached: {ex.HttpRequestError}");
        }
    }

    private async Task<ITokenAccess> CredentialAsync(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            return credential ??= await LoadAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ITokenAccess> LoadAsync(CancellationToken ct)
    {
        var path = keyFilePath();
        if (!File.Exists(path))
        {
            throw HyopsException.From(DiagnosticCatalog.GcpCredentialsUnavailable, $"the service-account key file '{path}' does not exist");
        }

        try
        {
            var account = await CredentialFactory.FromFileAsync<ServiceAccountCredential>(path, ct);
            return account.ToGoogleCredential().CreateScoped(GcpSettings.CloudPlatformScope);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or IOException
                                       or System.Security.Cryptography.CryptographicException or Newtonsoft.Json.JsonException)
        {
            // The exception text of a malformed key may quote it: only the type is reported.
            throw HyopsException.From(DiagnosticCatalog.GcpCredentialsUnavailable,
                $"'{path}' is not a usable service-account JSON key ({ex.GetType().Name})");
        }
    }
}
