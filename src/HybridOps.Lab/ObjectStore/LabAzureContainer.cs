using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace HybridOps.Lab;

/// <summary>
/// Creates the lab container in Azurite (pgBackRest does not create containers): one Create Container
/// request signed with the account's shared key, over TLS verified against the lab CA only.
/// </summary>
internal static class LabAzureContainer
{
    private const string ApiVersion = "2021-10-04";

    /// <summary>True once the container exists (201 Created or 409 already there); false while Azurite does not answer yet.</summary>
    public static async Task<bool> TryEnsureAsync(LabObjectStoreSite site, string accountKey, TimeProvider time, CancellationToken ct)
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(site.CaFile);
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = Postgres.Tls.CaTrust.Callback(ca) } };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var date = time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        var toSign = "PUT\n" + new string('\n', 11) + $"x-ms-date:{date}\nx-ms-version:{ApiVersion}\n" + $"/{site.Account}/{site.Account}/{site.Bucket}\nrestype:container";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(accountKey), Encoding.UTF8.GetBytes(toSign)));
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri($"https://{site.Host}:{site.Port.ToString(CultureInfo.InvariantCulture)}/{site.Account}/{site.Bucket}?restype=container"))
        {
            Content = new ByteArrayContent([]),
        };
        request.Headers.TryAddWithoutValidation("x-ms-date", date);
        request.Headers.TryAddWithoutValidation("x-ms-version", ApiVersion);
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {site.Account}:{signature}");
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict
                ? true
                : throw new InvalidOperationException($"azurite refused to create container '{site.Bucket}': HTTP {(int)response.StatusCode}");
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
