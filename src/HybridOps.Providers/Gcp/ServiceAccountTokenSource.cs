using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// Tokens from a service-account JSON key file (the path is the value of the env key the settings
/// name): the OAuth 2.0 JWT-bearer grant Google documents for service accounts (RFC 7523), an RS256
/// assertion {iss: client_email, scope: cloud-platform, aud: Google's token URL, iat, exp} posted to
/// the key's token_uri. Written here on System.Security.Cryptography and System.Text.Json because
/// the release binary is Native AOT and Google.Apis.Auth (Newtonsoft.Json, reflection) is not
/// trimming-safe. The token is cached in memory until 5 minutes before it expires; nothing of the key
/// or the token leaves this type.
/// </summary>
public sealed class ServiceAccountTokenSource(Func<string> keyFilePath, TimeProvider time, HttpMessageHandler? handler = null) : IGcpTokenSource, IDisposable
{
    /// <summary>The audience Google's token endpoint expects, whatever token_uri the key names.</summary>
    public const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly HttpClient http = new(handler ?? new SocketsHttpHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
    private (string Token, DateTimeOffset Expires)? cached;

    public async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (cached is { } c && c.Expires - TimeSpan.FromMinutes(5) > time.GetUtcNow())
            {
                return c.Token;
            }

            var key = Load();
            var fresh = await ExchangeAsync(key, cancellationToken);
            cached = fresh;
            return fresh.Token;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        http.Dispose();
        gate.Dispose();
    }

    private sealed record Key(string ClientEmail, string KeyId, string TokenUri, string PrivateKeyPem);

    private Key Load()
    {
        var path = keyFilePath();
        if (!File.Exists(path))
        {
            throw HyopsException.From(DiagnosticCatalog.GcpCredentialsUnavailable, $"the service-account key file '{path}' does not exist");
        }

        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            string Field(string name) => json?[name]?.GetValue<string>() is { Length: > 0 } v ? v : throw new FormatException(name);
            if (Field("type") != "service_account")
            {
                throw new FormatException("type");
            }

            return new Key(Field("client_email"), json?["private_key_id"]?.GetValue<string>() ?? "", json?["token_uri"]?.GetValue<string>() ?? GoogleTokenAudience, Field("private_key"));
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            // A malformed key's text may quote it: only the field or the exception type is reported.
            throw HyopsException.From(DiagnosticCatalog.GcpCredentialsUnavailable,
                $"'{path}' is not a usable service-account JSON key ({(ex is FormatException f ? "field " + f.Message : ex.GetType().Name)})");
        }
    }

    private async Task<(string Token, DateTimeOffset Expires)> ExchangeAsync(Key key, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var assertion = Sign(key, now);
        using var content = new FormUrlEncodedContent([new("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), new("assertion", assertion)]);
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, key.TokenUri) { Content = content };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            response = await http.SendAsync(request, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw HyopsException.From(DiagnosticCatalog.GcpTokenExchangeFailed, $"the token endpoint {key.TokenUri} could not be reached: {(ex as HttpRequestException)?.HttpRequestError.ToString() ?? "timeout"}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            JsonNode? json = null;
            try
            {
                json = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException)
            {
                // reported below by status
            }

            if (!response.IsSuccessStatusCode || json?["access_token"]?.GetValue<string>() is not { Length: > 0 } token)
            {
                // The endpoint's own error code and description (invalid_grant: Invalid JWT Signature.) name the cause; they never quote the assertion.
                throw HyopsException.From(DiagnosticCatalog.GcpTokenExchangeFailed,
                    $"the token endpoint refused the service-account assertion: {json?["error"]?.GetValue<string>() ?? "no error code"} {json?["error_description"]?.GetValue<string>()} (HTTP {(int)response.StatusCode})");
            }

            var seconds = json["expires_in"] is JsonValue v && v.TryGetValue<int>(out var s) ? s : 3600;
            return (token, now.AddSeconds(seconds));
        }
    }

    private static string Sign(Key key, DateTimeOffset now)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = key.KeyId };
        var claims = new JsonObject
        {
            ["iss"] = key.ClientEmail,
            ["scope"] = GcpSettings.CloudPlatformScope,
            ["aud"] = GoogleTokenAudience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(key.PrivateKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw HyopsException.From(DiagnosticCatalog.GcpCredentialsUnavailable, $"the private_key of service account {key.ClientEmail} is not an RSA PEM key ({ex.GetType().Name})");
        }

        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
