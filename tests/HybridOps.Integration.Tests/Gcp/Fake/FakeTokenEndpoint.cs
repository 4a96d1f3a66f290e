using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// The OAuth 2.0 JWT-bearer grant (RFC 7523) as Google's token endpoint does it: verifies the RS256
/// assertion against the generated key's public half, its iss, aud (Google's token URL, which the library
/// signs for whatever token_uri it posts to) and scope, then issues
/// a random access token that the API routes require.
/// </summary>
public sealed class FakeTokenEndpoint(RSA publicKey, string issuer, string audience)
{
    public HashSet<string> Issued { get; } = [];

    public List<string> Scopes { get; } = [];

    public FakeResponse Exchange(string form)
    {
        var fields = form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : ""));
        if (fields.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || !fields.TryGetValue("assertion", out var jwt))
        {
            return new FakeResponse(400, new JsonObject { ["error"] = "unsupported_grant_type" });
        }

        var parts = jwt.Split('.');
        if (parts.Length != 3 || !publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return new FakeResponse(400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature." });
        }

        var header = JsonNode.Parse(FromBase64Url(parts[0]))!;
        var claims = JsonNode.Parse(FromBase64Url(parts[1]))!;
        if (header["alg"]?.GetValue<string>() != "RS256" || claims["iss"]?.GetValue<string>() != issuer || claims["aud"]?.GetValue<string>() != audience)
        {
            return new FakeResponse(400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT claims." });
        }

        Scopes.Add(claims["scope"]?.GetValue<string>() ?? "");
        var token = "ya29.fake-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        Issued.Add(token);
        return FakeResponse.Ok(new JsonObject { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private static byte[] FromBase64Url(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
