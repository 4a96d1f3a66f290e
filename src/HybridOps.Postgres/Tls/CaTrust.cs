using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace HybridOps.Postgres.Tls;

/// <summary>
/// A server certificate checked against one CA instead of the system trust store: the chain must end at
/// that CA, and the certificate must still name the host that was asked for (a name mismatch fails).
/// </summary>
public static class CaTrust
{
    public static bool Trusts(X509Certificate2 ca, X509Certificate2 server, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }

    /// <summary>The check as a TLS validation callback (a missing certificate fails).</summary>
    public static RemoteCertificateValidationCallback Callback(X509Certificate2 ca) =>
        (_, cert, _, errors) => cert is X509Certificate2 server && Trusts(ca, server, errors);
}
