using System.Globalization;
using System.Text;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Lab.Site;

/// <summary>
/// The object stores of the lab on hosts: Azurite and s3rver on their own host (`objstore`), started
/// and stopped by that host's service manager over SSH like every lab service, over TLS with
/// certificates of the lab CA. The CA goes to every host (<see cref="CaFile"/>, what the repository's
/// ca_file names); the stores' keys sit only in 0600 environment files of the service user on the
/// objstore host, and the TLS keys next to them.
/// </summary>
internal static class SiteLabObjectStores
{
    /// <summary>The lab CA on every host: the repository input ca_file (pgBackRest repo1-storage-ca-file).</summary>
    public const string CaFile = "/etc/ssl/hyops-lab/ca.crt";
    public const string ConfigDir = "/etc/hyops-objstore";
    public const string AzuriteEnv = ConfigDir + "/azurite.env";
    public const string S3Env = ConfigDir + "/s3rver.env";
    public const string S3Launcher = ConfigDir + "/s3rver-launch.js";

    /// <summary>The stores' data: on the objstore host's own disk (/var/lib/postgresql is per host).</summary>
    public const string DataDir = "/var/lib/postgresql/objstore";
    public const string AzuriteService = "azurite";
    public const string S3Service = "s3rver";

    /// <summary>The stores as a repository consumer on the hosts sees them (ca = <see cref="CaFile"/>).</summary>
    public static IReadOnlyList<LabObjectStoreSite> Sites(SiteLabPlan plan) =>
    [
        new("azure", plan.AddressOf(SiteLabPlan.ObjectStoreHost), LabTopology.AzurePort, LabObjectStoreSite.BucketName, CaFile, LabObjectStoreSite.AzureAccount),
        new("s3", plan.AddressOf(SiteLabPlan.ObjectStoreHost), LabTopology.S3Port, LabObjectStoreSite.BucketName, CaFile, null),
    ];

    /// <summary>CA and certificates (made here once), the CA to every host, the stores started and answering TLS, the container created.</summary>
    public static async Task StartAsync(SiteLabHosts hosts, SiteLabPlan plan, SiteLabOptions options, IProcessRunner runner, TimeProvider time,
        Func<Func<Task<bool>>, Task> waitAsync, CancellationToken ct)
    {
        var keys = options.ObjectStores ?? throw new ArgumentException("no object-store keys", nameof(options));
        var host = SiteLabPlan.ObjectStoreHost;
        var address = plan.AddressOf(host);
        var tls = Path.Combine(options.LabDir, "objstore-tls");
        // One certificate serves both stores: they share the host's address.
        await new LabObjectStoreTls(runner).PrepareTlsAsync(options.OpensslExecutable, tls, [("objstore", address)], ct);
        var ca = await File.ReadAllBytesAsync(Path.Combine(tls, "ca.crt"), ct);
        await Task.WhenAll(plan.HostNames.Select(async h =>
        {
            await hosts.RootAsync(h, ct, "install", "-d", "-m", "0755", Path.GetDirectoryName(CaFile)!);
            await hosts[h].PutFileAsync(CaFile, ca, "root", "root", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, ct);
        }));

        const string user = "postgres";
        var secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var store = hosts[host];
        await hosts.RootAsync(host, ct, "install", "-d", "-o", "root", "-g", user, "-m", "0750", ConfigDir);
        await hosts.RootAsync(host, ct, "install", "-d", "-o", user, "-g", user, "-m", "0750", DataDir, DataDir + "/azurite", DataDir + "/s3rver");
        await store.PutFileAsync(ConfigDir + "/objstore.crt", await File.ReadAllBytesAsync(Path.Combine(tls, "objstore.crt"), ct), user, user, secret | UnixFileMode.GroupRead, ct);
        await store.PutFileAsync(ConfigDir + "/objstore.key", await File.ReadAllBytesAsync(Path.Combine(tls, "objstore.key"), ct), user, user, secret, ct);
        await store.PutFileAsync(S3Launcher, Encoding.UTF8.GetBytes(S3rverLauncher.Script), user, user, secret | UnixFileMode.GroupRead, ct);
        await store.PutFileAsync(AzuriteEnv, Encoding.UTF8.GetBytes(ServiceEnvironmentFile.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AZURITE_ACCOUNTS"] = $"{LabObjectStoreSite.AzureAccount}:{keys.AzureAccountKey}",
        })), user, user, secret, ct);
        await store.PutFileAsync(S3Env, Encoding.UTF8.GetBytes(ServiceEnvironmentFile.Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HYOPS_S3_ACCESS_KEY"] = keys.S3AccessKey, ["HYOPS_S3_SECRET_KEY"] = keys.S3SecretKey,
        })), user, user, secret, ct);

        var services = hosts.Services(host);
        await services.StartAsync(Azurite(options, address), ct);
        await services.StartAsync(S3rver(options, address), ct);

        // The container is made from here over the bridge, verified against the lab CA (the local copy).
        var local = new LabObjectStoreSite("azure", address, LabTopology.AzurePort, LabObjectStoreSite.BucketName, Path.Combine(tls, "ca.crt"), LabObjectStoreSite.AzureAccount);
        await waitAsync(() => PortProbe.AcceptsAsync(address, LabTopology.S3Port, ct));
        await waitAsync(() => LabAzureContainer.TryEnsureAsync(local, keys.AzureAccountKey, time, ct));
    }

    /// <summary>Stops both stores through the objstore host's service manager.</summary>
    public static Task StopAsync(SiteLabHosts hosts, CancellationToken ct) => Task.WhenAll(
        hosts.Services(SiteLabPlan.ObjectStoreHost).StopAsync(AzuriteService, TimeSpan.FromSeconds(15), ct),
        hosts.Services(SiteLabPlan.ObjectStoreHost).StopAsync(S3Service, TimeSpan.FromSeconds(15), ct));

    private static ServiceUnit Azurite(SiteLabOptions options, string address) =>
        new(AzuriteService,
        [
            options.NodeExecutable, LabObjectStoreTls.AzuriteMainIn(options.NodeModules), "--blobHost", address,
            "--blobPort", LabTopology.AzurePort.ToString(CultureInfo.InvariantCulture), "--location", DataDir + "/azurite",
            "--cert", ConfigDir + "/objstore.crt", "--key", ConfigDir + "/objstore.key", "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent",
        ], "postgres", "/var/log/hyops/azurite.log")
        { EnvironmentFile = AzuriteEnv, WorkingDirectory = DataDir, Description = "Azurite (Azure Blob emulator, shared-key auth, TLS)" };

    private static ServiceUnit S3rver(SiteLabOptions options, string address) =>
        new(S3Service,
        [
            options.NodeExecutable, S3Launcher, options.NodeModules, address, LabTopology.S3Port.ToString(CultureInfo.InvariantCulture), DataDir + "/s3rver",
            ConfigDir + "/objstore.key", ConfigDir + "/objstore.crt", LabObjectStoreSite.BucketName,
        ], "postgres", "/var/log/hyops/s3rver.log")
        { EnvironmentFile = S3Env, WorkingDirectory = DataDir, Description = "s3rver (S3 protocol, TLS)" };
}
