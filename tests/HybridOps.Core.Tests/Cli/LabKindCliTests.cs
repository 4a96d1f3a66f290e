using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

/// <summary>
/// The lab is namespaced hosts only: the options of the retired loopback lab are unknown, and a lab dir
/// that still holds a loopback lab of an earlier release is refused (HYO2003) before anything is touched.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class LabKindCliTests : IDisposable
{
    private readonly CliTestContent c = new();

    public void Dispose() => c.Dispose();

    [Theory]
    [InlineData("--loopback")]
    [InlineData("--address-prefix", "127.0.77")]
    public async Task Up_WithAnOptionOfTheRetiredLoopbackLab_IsRefusedBeforeTheLabDirExists(params string[] options)
    {
        var labDir = c.Dir.Combine("lab");

        var r = await c.RunAsync(["--root", c.Root, "lab", "up", "--lab-dir", labDir, .. options]);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain(options[0]);
        Directory.Exists(labDir).ShouldBeFalse();
    }

    [Theory]
    [InlineData("up")]
    [InlineData("status")]
    [InlineData("down")]
    [InlineData("fail-site")]
    public async Task ALabDirHoldingALoopbackLabOfAnEarlierRelease_IsRefused_AndLeftUnchanged(string command)
    {
        var labDir = c.Dir.Combine("lab");
        Directory.CreateDirectory(labDir);
        File.WriteAllText(Path.Combine(labDir, "lab.json"), """{"status": "running", "processes": []}""");
        var before = TempDir.Snapshot(labDir);

        var r = await c.RunAsync(["--root", c.Root, "lab", command, "--lab-dir", labDir]);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO2003");
        r.Stderr.ShouldContain("loopback lab of an earlier hyops release");
        r.Stderr.ShouldContain("another --lab-dir");
        TempDir.Snapshot(labDir).ShouldBe(before);
    }

    [Fact]
    public async Task Down_WhereNoLabWasEverStarted_StopsNothing_AndSaysSo()
    {
        var labDir = c.Dir.Combine("lab");

        var r = await c.RunAsync(["--root", c.Root, "lab", "down", "--lab-dir", labDir]);
        var status = await c.RunAsync(["--root", c.Root, "lab", "status", "--lab-dir", labDir]);

        r.ExitCode.ShouldBe(0, r.ToString());
        (r.Stdout + r.Stderr).ShouldContain($"no lab in {labDir}: nothing to stop");
        Directory.Exists(labDir).ShouldBeFalse();
        status.ExitCode.ShouldBe(4, status.ToString());
        status.Stderr.ShouldContain("HYO4003");
    }
}
