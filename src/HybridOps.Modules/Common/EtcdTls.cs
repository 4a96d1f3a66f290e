using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Modules.Common;

/// <summary>
/// How hyops reaches a site's etcd: every client URL http, or every one https, verified against the CA
/// certificate file on this machine that the hosts contract names (etcd_ca_file), else against the system
/// trust store. Client certificates are not supported (etcd's --client-cert-auth must stay off).
/// </summary>
internal static class EtcdTls
{
    private static readonly ConcurrentDictionary<string, HttpClient> Clients = new(StringComparer.Ordinal);

    /// <summary>Refuses, before anything changes, URLs of another scheme, http mixed with https, and a CA file that is missing, unreadable or not a certificate.</summary>
    public static void Validate(IReadOnlyList<string> urls, string? caFile, string input)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"{input} entry '{url}' is not an etcd client URL like https://192.0.2.21:2379 (http or https, with the host)");
            }
        }

        if (urls.Select(u => new Uri(u).Scheme).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"{input} mixes http and https ({string.Join(", ", urls)}): give every client URL of the etcd cluster with the scheme it serves");
        }

        if (caFile is null)
        {
            return;
        }

        if (urls.Count > 0 && Scheme(urls) == "http")
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"etcd_ca_file '{caFile}' is given but {input} are http: write them as https://host:2379, or leave etcd_ca_file empty");
        }

        if (!Path.IsPathRooted(caFile) || !File.Exists(caFile))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"etcd_ca_file '{caFile}' does not exist: give the absolute path, on the machine hyops runs on, of the PEM certificate of the CA that signed etcd's server certificate");
        }

        try
        {
            using var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        }
        catch (CryptographicException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"etcd_ca_file '{caFile}' is not a certificate ({ex.Message}): give the CA's PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
    }

    /// <summary>"https" when the URLs are https, else "http".</summary>
    public static string Scheme(IEnumerable<string> urls) =>
        urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) ? "https" : "http";

    /// <summary>
    /// A client for a site's etcd: proxies off (a site's own servers are never reached through one), short
    /// timeouts (a DCS that needs more than 2 s is not healthy), the CA file as the only trust anchor when given.
    /// </summary>
    public static HttpClient Client(string? caFile) => Clients.GetOrAdd(caFile ?? "", file =>
    {
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) };
        if (file.Length > 0)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(file);
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Postgres.Tls.CaTrust.Callback(ca) };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
    });
}
