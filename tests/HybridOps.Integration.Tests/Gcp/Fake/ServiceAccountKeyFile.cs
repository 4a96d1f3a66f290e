using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>A freshly generated RSA service-account key in Google's JSON key format, token_uri pointing at the fake.</summary>
public sealed class ServiceAccountKeyFile : IDisposable
{
    public ServiceAccountKeyFile(string dir, string tokenUri, string project)
    {
        Rsa = RSA.Create(2048);
        ClientEmail = $"hyops-dr@{project}.iam.gserviceaccount.com";
        PrivateKeyPem = Rsa.ExportPkcs8PrivateKeyPem();
        Path = System.IO.Path.Combine(dir, "sa-key.json");
        var json = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = project,
            ["private_key_id"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant(),
            ["private_key"] = PrivateKeyPem,
            ["client_email"] = ClientEmail,
            ["client_id"] = "100000000000000000001",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = tokenUri,
        };
        File.WriteAllText(Path, json.ToJsonString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public RSA Rsa { get; }

    public string ClientEmail { get; }

    public string Path { get; }

    /// <summary>The PEM body (for the secret scan: no line of it may appear anywhere).</summary>
    public string PrivateKeyPem { get; }

    public void Dispose() => Rsa.Dispose();
}
