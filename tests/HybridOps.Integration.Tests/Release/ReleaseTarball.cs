using System.Security.Cryptography;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Release;

/// <summary>
/// The release tarball, built once per test run by scripts/package.sh (or the one $HYOPS_TARBALL names),
/// unpacked into an empty temp dir with no repository above it. Deleted when the tests end.
/// </summary>
public sealed class ReleaseTarball : IAsyncLifetime
{
    public const string TarballVariable = "HYOPS_TARBALL";

    private static readonly TimeSpan PackageTimeout = TimeSpan.FromMinutes(25);

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"hyops-release-{RandomNumberGenerator.GetHexString(8, lowercase: true)}");

    public string Tarball { get; private set; } = "";

    /// <summary>The unpacked hyops-&lt;version&gt;-linux-x64 folder.</summary>
    public string Unpacked { get; private set; } = "";

    public string Binary => Path.Combine(Unpacked, "bin", "hyops");

    public IProcessRunner Runner { get; } = new LocalProcessRunner();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dir);
        Tarball = System.Environment.GetEnvironmentVariable(TarballVariable) is { Length: > 0 } given
            ? Path.GetFullPath(given)
            : await PackageAsync();
        var into = Path.Combine(Dir, "unpacked");
        Directory.CreateDirectory(into);
        (await Runner.RunAsync(ProcessSpec.Of("tar", "-xzf", Tarball, "-C", into), CancellationToken.None)).EnsureSuccess();
        Unpacked = Directory.GetDirectories(into).Single();
    }

    /// <summary>Runs the unpacked binary from an empty working dir: no HYOPS_CONTENT_ROOT, HOME in the temp dir.</summary>
    public Task<CliResult> HyopsAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        HyopsAtAsync(Binary, environment, args);

    /// <summary>As <see cref="HyopsAsync"/>, through another path to the binary (a symlink).</summary>
    public async Task<CliResult> HyopsAtAsync(string binary, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var work = Path.Combine(Dir, "work");
        Directory.CreateDirectory(work);
        var env = new Dictionary<string, string>(environment) { ["HYOPS_CONTENT_ROOT"] = "", ["HOME"] = work };
        var r = await Runner.RunAsync(new ProcessSpec(binary, args, work, env, Timeout: TimeSpan.FromMinutes(5)), CancellationToken.None);
        return new CliResult(r.ExitCode, r.StdOut, r.StdErr);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Dir, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<string> PackageAsync()
    {
        var dist = Path.Combine(Dir, "dist");
        var spec = new ProcessSpec("bash", [Path.Combine(Site.RepoRoot, "scripts", "package.sh")], Site.RepoRoot,
            new Dictionary<string, string> { ["HYOPS_DIST"] = dist }, Timeout: PackageTimeout);
        var r = (await Runner.RunAsync(spec, CancellationToken.None)).EnsureSuccess();
        return r.StdOut.Trim();
    }
}
