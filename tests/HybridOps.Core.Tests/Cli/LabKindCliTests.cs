using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

/// <summary>
/// `lab up` builds lab hosts unless asked for the loopback lab; contradictory options and a lab dir that
/// already holds the other kind of lab are refused (HYO2003) before anything is created or changed.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class LabKindCliTests : IDisposable
{
    private readonly CliTestContent c = new();

    public void Dispose() => c.Dispose();

    [Theory]
    [InlineData("--hosts", "--loopback")]
    [InlineData("--hosts", "--address-prefix", "127.0.77")]
    [InlineData("--block", "3", "--loopback")]
    [InlineData("--block", "3", "--address-prefix", "127.0.77")]
    public async Task Up_WithOptionsOfBothKinds_IsRefusedBeforeTheLabDirExists(params string[] options)
    {
        var labDir = c.Dir.Combine("lab");

        var r = await c.RunAsync(["--root", c.Root, "lab", "up", "--lab-dir", labDir, .. options]);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2003");
        Directory.Exists(labDir).ShouldBeFalse();
    }

    [Theory]
    [InlineData("lab.json", "{}", "--hosts", "a loopback lab")]
    [InlineData("lab.json", "{}", "--block", "a loopback lab")]
    [InlineData("site.json", """{"kind": "hosts", "block": 3, "cluster_name": "c", "member_count": 3, "with_dns": true, "status": "running"}""", "--loopback", "a hosts lab")]
    public async Task Up_OfTheOtherKind_InALabDirThatHoldsALab_IsRefused_AndTheLabDirIsUnchanged(string file, string text, string kind, string holds)
    {
        var labDir = c.Dir.Combine("lab");
        Directory.CreateDirectory(labDir);
        File.WriteAllText(Path.Combine(labDir, file), text);
        var before = TempDir.Snapshot(labDir);
        string[] options = kind == "--block" ? ["--block", "4"] : [kind];

        var r = await c.RunAsync(["--root", c.Root, "lab", "up", "--lab-dir", labDir, .. options]);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2003");
        r.Stderr.ShouldContain($"already holds {holds}");
        r.Stderr.ShouldContain("lab down --purge");
        TempDir.Snapshot(labDir).ShouldBe(before);
    }
}
