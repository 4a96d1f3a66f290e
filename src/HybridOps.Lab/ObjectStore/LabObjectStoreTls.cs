using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// The lab's object stores' TLS: a lab CA made here with openssl and a certificate per store (Azurite,
/// s3rver on the objstore host). The stores themselves are services of that host (SiteLabObjectStores).
/// </summary>
internal sealed class LabObjectStoreTls(IProcessRunner runner)
{
    /// <summary>
    /// Once per lab: the lab CA (<c>ca.crt</c> in <paramref name="tlsDir"/>) and, per server, <c>BACKEND.crt</c>/<c>.key</c>
    /// naming its address. The CA's private key is deleted afterwards: nothing more is ever signed.
    /// </summary>
    public async Task PrepareTlsAsync(string openssl, string tlsDir, IReadOnlyList<(string Backend, string Host)> servers, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The lab's object stores need Linux.");
        }

        var caFile = Path.Combine(tlsDir, "ca.crt");
        Directory.CreateDirectory(tlsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(caFile) && servers.All(s => File.Exists(Path.Combine(tlsDir, s.Backend + ".crt"))))
        {
            return;
        }

        var caKey = Path.Combine(tlsDir, "ca.key");
        await OpensslAsync(openssl, ct, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", caKey, "-out", caFile, "-days", "825", "-subj", "/CN=hyops lab CA");
        foreach (var (backend, host) in servers)
        {
            var csr = Path.Combine(tlsDir, backend + ".csr");
            var ext = Path.Combine(tlsDir, backend + ".ext");

            // The IP SAN for clients that verify addresses; the same text as a DNS name for pgBackRest 2.45,
            // which matches only dNSName entries (and the CN only when there is no SAN at all).
            await File.WriteAllTextAsync(ext, $"subjectAltName=IP:{host},DNS:{host}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n", ct);
            await OpensslAsync(openssl, ct, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", Path.Combine(tlsDir, backend + ".key"), "-out", csr, "-subj", $"/CN={host}");
            await OpensslAsync(openssl, ct, "x509", "-req", "-in", csr, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial",
                "-out", Path.Combine(tlsDir, backend + ".crt"), "-days", "825", "-extfile", ext);
            File.Delete(csr);
            File.Delete(ext);
        }

        File.Delete(caKey);
        File.Delete(Path.Combine(tlsDir, "ca.srl"));
    }

    private async Task OpensslAsync(string openssl, CancellationToken ct, params string[] args)
    {
        var result = await runner.RunAsync(new ProcessSpec(openssl, args, Timeout: TimeSpan.FromSeconds(30)), ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"openssl {args[0]} exited {result.ExitCode}: {result.StdErr.Trim()}");
        }
    }

    /// <summary>Azurite's blob service entry point under a node_modules directory.</summary>
    public static string AzuriteMainIn(string nodeModules) => Path.Combine(nodeModules, "azurite", "dist", "src", "blob", "main.js");
}
