using System.Security.Cryptography;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Release;

/// <summary>
/// The packaged product, used the way an operator installs it: unpack the tarball anywhere and run
/// bin/hyops, with no .NET SDK build and no clone of this repository. Only the CLI contract is checked
/// (exit codes, content found beside the binary), so the lab's internals may change underneath. The
/// binary's lab is the default one: lab hosts of block 8, built and reached over SSH by the AOT binary.
/// </summary>
[Trait("lab", "hosts")]
public sealed class ReleaseTarballTests(ReleaseTarball release) : IClassFixture<ReleaseTarball>
{
    // This test's own loopback prefix (DNS site on 127.0.175): no other lab uses it.
    private const string Block = "8";

    private static readonly Dictionary<string, string> NoSecrets = [];

    [Fact]
    public void Tarball_HoldsANativeBinary_TheContracts_TheDocsAndItsVersion()
    {
        Path.GetFileName(release.Tarball).ShouldMatch(@"^hyops-\d+\.\d+\.\d+-linux-x64\.tar\.gz$");
        var version = File.ReadAllText(Path.Combine(release.Unpacked, "VERSION")).Trim();
        Path.GetFileName(release.Tarball).ShouldBe($"hyops-{version}-linux-x64.tar.gz");
        File.ReadAllBytes(release.Binary)[..4].ShouldBe("\u007fELF"u8.ToArray(), "bin/hyops is a native executable");
        Directory.EnumerateFiles(release.Unpacked, "*.dll", SearchOption.AllDirectories).ShouldBeEmpty("a Native AOT build carries no managed assemblies");
        foreach (var entry in new[] { "modules", "blueprints", "docs" })
        {
            Directory.Exists(Path.Combine(release.Unpacked, entry)).ShouldBeTrue(entry);
        }

        File.Exists(Path.Combine(release.Unpacked, "README.md")).ShouldBeTrue();
        File.Exists(Path.Combine(release.Unpacked, "blueprints", "onprem", "postgresql-ha-assess@v1", "blueprint.yml")).ShouldBeTrue();
    }

    [Fact]
    public async Task Help_FromTheUnpackedBinary_ExitsZero_AndListsTheVerbs()
    {
        var r = await release.HyopsAsync(NoSecrets, "--help");

        r.ExitCode.ShouldBe(0, r.ToString());
        r.StdOut.ShouldContain("blueprint");
        r.StdOut.ShouldContain("lab");
    }

    [Fact]
    public async Task Version_FromTheUnpackedBinary_IsTheTarballsVersion()
    {
        var r = await release.HyopsAsync(NoSecrets, "--version");

        r.ExitCode.ShouldBe(0, r.ToString());
        r.StdOut.Trim().ShouldBe(File.ReadAllText(Path.Combine(release.Unpacked, "VERSION")).Trim());
    }

    [Fact]
    public async Task BlueprintPlan_FindsTheContractsBesideTheBinary_WithNoRepositoryAround()
    {
        var root = Path.Combine(release.Dir, "plan-root");

        var r = await release.HyopsAsync(NoSecrets, "--root", root, "blueprint", "plan", "--ref", "onprem/postgresql-ha-assess@v1", "--output", "json");

        r.ExitCode.ShouldBe(0, r.ToString());
        var doc = System.Text.Json.Nodes.JsonNode.Parse(r.StdOut)!;
        doc["blueprint_ref"]!.GetValue<string>().ShouldBe("onprem/postgresql-ha-assess@v1");
        doc["steps"]!.AsArray().Count.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task BlueprintPlan_ThroughASymlinkToTheBinary_StillFindsTheContracts()
    {
        var link = Path.Combine(release.Dir, "linkbin", "hyops");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, release.Binary);

        var r = await release.HyopsAtAsync(link, NoSecrets, "--root", Path.Combine(release.Dir, "link-root"), "blueprint", "plan", "--ref", "onprem/postgresql-ha-assess@v1");

        r.ExitCode.ShouldBe(0, r.ToString());
        r.StdOut.ShouldContain("onprem/postgresql-ha-assess@v1");
    }

    [Fact]
    public async Task LabUpStatusDown_FromTheUnpackedBinary_ExitZero_AndLeaveNoProcess()
    {
        var root = Path.Combine(release.Dir, "lab-root");
        var labDir = Path.Combine(release.Dir, "lab");
        var env = new Dictionary<string, string>
        {
            ["HYOPS_VAULT_PASSWORD"] = "vault-" + RandomNumberGenerator.GetHexString(16, lowercase: true),
            ["HYOPS_LAB_PG_SUPERUSER_PASSWORD"] = "su-" + RandomNumberGenerator.GetHexString(24, lowercase: true),
            ["HYOPS_LAB_PG_REPLICATION_PASSWORD"] = "re-" + RandomNumberGenerator.GetHexString(24, lowercase: true),
        };
        try
        {
            var up = await release.HyopsAsync(env, "--root", root, "lab", "up", "--lab-dir", labDir, "--block", Block);
            up.ExitCode.ShouldBe(0, up.ToString());

            var status = await release.HyopsAsync(env, "--root", root, "lab", "status", "--lab-dir", labDir);
            status.ExitCode.ShouldBe(0, status.ToString());
        }
        finally
        {
            var down = await release.HyopsAsync(env, "--root", root, "lab", "down", "--lab-dir", labDir);
            down.ExitCode.ShouldBe(0, down.ToString());
        }

        (await ProcessesMentioningAsync(labDir)).ShouldBeEmpty();
        var netns = (await release.Runner.RunAsync(ProcessSpec.Of("ip", "netns", "list"), CancellationToken.None)).EnsureSuccess();
        netns.StdOut.ShouldNotContain($"hyops-{Block}-");
    }

    /// <summary>Live (non-zombie) processes whose argv names the lab dir.</summary>
    private async Task<List<string>> ProcessesMentioningAsync(string labDir)
    {
        var ps = (await release.Runner.RunAsync(ProcessSpec.Of("ps", "-eo", "pid=,stat=,args="), CancellationToken.None)).EnsureSuccess();
        return
        [
            .. ps.StdOut.Split('\n')
                .Where(line => line.Contains(labDir, StringComparison.Ordinal))
                .Where(line => line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries) is [_, var stat, ..] && !stat.StartsWith('Z')),
        ];
    }
}
