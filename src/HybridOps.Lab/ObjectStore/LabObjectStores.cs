using System.Globalization;
using HybridOps.Postgres.Exec;

namespace HybridOps.Lab;

/// <summary>
/// The lab's object-store site: Azurite (Azure Blob, shared-key auth) and s3rver (S3), each on its own
/// address, both over TLS with certificates of a lab CA made here with openssl. Started detached as
/// the service user, recorded in lab.json (kind "objstore") and stopped by pid like every lab daemon.
/// </summary>
internal sealed class LabObjectStores(IProcessRunner runner, TimeProvider time)
{
    public const string Kind = "objstore";
    public const string AzuriteName = "azurite";
    public const string S3Name = "s3rver";

    public static IReadOnlyList<LabObjectStoreSite> Sites(LabTopology t, LabLayout layout) =>
    [
        new("azure", t.AzureHost, LabTopology.AzurePort, LabObjectStoreSite.BucketName, layout.CaFile, LabObjectStoreSite.AzureAccount),
        new("s3", t.S3Host, LabTopology.S3Port, LabObjectStoreSite.BucketName, layout.CaFile, null),
    ];

    /// <summary>Directories, the launcher, and (once) the lab CA and a certificate per store naming its IP.</summary>
    public async Task PrepareAsync(LabOptions options, LabLayout layout, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The lab's object stores need Linux.");
        }

        var azurite = AzuriteMain(options);
        if (!File.Exists(azurite) || !File.Exists(Path.Combine(options.NodeModules, "s3rver", "package.json")))
        {
            throw new InvalidOperationException($"the lab's object stores need azurite and s3rver under {options.NodeModules} (run scripts/setup.sh, or set HYOPS_LAB_NODE_MODULES)");
        }

        foreach (var dir in new[] { layout.ObjectStoreDir, layout.TlsDir, layout.AzureDir, layout.S3Dir })
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await File.WriteAllTextAsync(layout.S3Launcher, S3rverLauncher.Script, ct);
        await PrepareTlsAsync(options.OpensslExecutable, layout.TlsDir, [.. Sites(options.Topology, layout).Select(s => (s.Backend, s.Host))], ct);
    }

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

    public async Task<LabProcessRecord> StartAzuriteAsync(LabOptions options, LabObjectStoreKeys keys, LabLayout layout, string? serviceUser, CancellationToken ct)
    {
        var site = Sites(options.Topology, layout)[0];
        PortProbe.EnsureFree(AzuriteName, site.Host, site.Port);
        var log = Path.Combine(layout.ObjectStoreDir, "azurite.log");
        var spec = new ProcessSpec(options.NodeExecutable,
        [
            AzuriteMain(options), "--blobHost", site.Host, "--blobPort", site.Port.ToString(CultureInfo.InvariantCulture),
            "--location", layout.AzureDir, "--cert", CertFile(layout, site), "--key", KeyFile(layout, site),
            "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent",
        ], layout.ObjectStoreDir, new Dictionary<string, string>(StringComparer.Ordinal) { ["AZURITE_ACCOUNTS"] = $"{site.Account}:{keys.AzureAccountKey}" }, serviceUser);
        var pid = await runner.StartDetachedAsync(spec, log, ct);
        return new LabProcessRecord(AzuriteName, Kind, pid, layout.AzureDir, log, time.GetUtcNow());
    }

    public async Task<LabProcessRecord> StartS3Async(LabOptions options, LabObjectStoreKeys keys, LabLayout layout, string? serviceUser, CancellationToken ct)
    {
        var site = Sites(options.Topology, layout)[1];
        PortProbe.EnsureFree(S3Name, site.Host, site.Port);
        var log = Path.Combine(layout.ObjectStoreDir, "s3rver.log");
        var spec = new ProcessSpec(options.NodeExecutable,
        [
            layout.S3Launcher, options.NodeModules, site.Host, site.Port.ToString(CultureInfo.InvariantCulture), layout.S3Dir,
            KeyFile(layout, site), CertFile(layout, site), site.Bucket,
        ], layout.ObjectStoreDir, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HYOPS_S3_ACCESS_KEY"] = keys.S3AccessKey,
            ["HYOPS_S3_SECRET_KEY"] = keys.S3SecretKey,
        }, serviceUser);
        var pid = await runner.StartDetachedAsync(spec, log, ct);
        return new LabProcessRecord(S3Name, Kind, pid, layout.S3Dir, log, time.GetUtcNow());
    }

    private async Task OpensslAsync(string openssl, CancellationToken ct, params string[] args)
    {
        var result = await runner.RunAsync(new ProcessSpec(openssl, args, Timeout: TimeSpan.FromSeconds(30)), ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"openssl {args[0]} exited {result.ExitCode}: {result.StdErr.Trim()}");
        }
    }

    private static string AzuriteMain(LabOptions options) => AzuriteMainIn(options.NodeModules);

    /// <summary>Azurite's blob service entry point under a node_modules directory.</summary>
    public static string AzuriteMainIn(string nodeModules) => Path.Combine(nodeModules, "azurite", "dist", "src", "blob", "main.js");

    private static string CertFile(LabLayout layout, LabObjectStoreSite site) => Path.Combine(layout.TlsDir, site.Backend + ".crt");

    private static string KeyFile(LabLayout layout, LabObjectStoreSite site) => Path.Combine(layout.TlsDir, site.Backend + ".key");
}
