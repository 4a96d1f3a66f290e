using HybridOps.Core.Secrets;

namespace HybridOps.Core.Tests.Secrets;

public sealed class VaultPasswordSourceTests : IDisposable
{
    private readonly SecretsTempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string PasswordFile => VaultPasswordSource.PasswordFilePath(_root.Path);

    [Fact]
    public async Task Nothing_configured_returns_null()
    {
        var source = new VaultPasswordSource(new DictionaryEnvironmentReader(), _root.Path);

        (await source.ResolveAsync(CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Env_password_wins_over_command_and_file()
    {
        WritePasswordFile("from-file", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var env = new DictionaryEnvironmentReader()
            .Set(VaultPasswordSource.PasswordVariable, "from-env")
            .Set(VaultPasswordSource.PasswordCommandVariable, "echo from-command");

        (await new VaultPasswordSource(env, _root.Path).ResolveAsync(CancellationToken.None)).ShouldBe("from-env");
    }

    [Fact]
    public async Task Command_wins_over_file_and_trailing_newline_is_trimmed()
    {
        SkipOnWindows();
        WritePasswordFile("from-file", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var env = new DictionaryEnvironmentReader()
            .Set(VaultPasswordSource.PasswordVariable, "") // empty counts as unset
            .Set(VaultPasswordSource.PasswordCommandVariable, "printf 'from command \\n'");

        (await new VaultPasswordSource(env, _root.Path).ResolveAsync(CancellationToken.None)).ShouldBe("from command ");
    }

    [Fact]
    public void Sync_resolve_runs_the_command_too()
    {
        SkipOnWindows();
        var env = new DictionaryEnvironmentReader().Set(VaultPasswordSource.PasswordCommandVariable, "echo sync-pw");

        new VaultPasswordSource(env, _root.Path).Resolve().ShouldBe("sync-pw");
    }

    [Fact]
    public async Task Failing_command_reports_exit_code_but_never_its_output()
    {
        SkipOnWindows();
        var env = new DictionaryEnvironmentReader()
            .Set(VaultPasswordSource.PasswordCommandVariable, "echo leaked-stdout; echo leaked-stderr >&2; exit 3");

        var ex = await Should.ThrowAsync<VaultException>(
            () => new VaultPasswordSource(env, _root.Path).ResolveAsync(CancellationToken.None));

        ex.Message.ShouldContain("exited with code 3");
        ex.Message.ShouldContain(VaultPasswordSource.PasswordCommandVariable);
        ex.Message.ShouldNotContain("leaked");
    }

    [Fact]
    public async Task Command_printing_nothing_is_an_error()
    {
        SkipOnWindows();
        var env = new DictionaryEnvironmentReader().Set(VaultPasswordSource.PasswordCommandVariable, "true");

        await Should.ThrowAsync<VaultException>(
            () => new VaultPasswordSource(env, _root.Path).ResolveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Hanging_command_times_out()
    {
        SkipOnWindows();
        var env = new DictionaryEnvironmentReader().Set(VaultPasswordSource.PasswordCommandVariable, "sleep 30");
        var source = new VaultPasswordSource(env, _root.Path, TimeSpan.FromMilliseconds(300));

        var ex = await Should.ThrowAsync<VaultException>(() => source.ResolveAsync(CancellationToken.None));

        ex.Message.ShouldContain("did not finish");
    }

    [Fact]
    public async Task Password_file_with_0600_is_used()
    {
        WritePasswordFile("file-pw\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        (await new VaultPasswordSource(new DictionaryEnvironmentReader(), _root.Path).ResolveAsync(CancellationToken.None))
            .ShouldBe("file-pw");
    }

    [Fact]
    public async Task Password_file_with_0400_is_accepted()
    {
        SkipOnWindows();
        WritePasswordFile("file-pw", UnixFileMode.UserRead);

        (await new VaultPasswordSource(new DictionaryEnvironmentReader(), _root.Path).ResolveAsync(CancellationToken.None))
            .ShouldBe("file-pw");
    }

    [Fact]
    public async Task Password_file_with_0644_is_rejected_with_chmod_hint()
    {
        SkipOnWindows();
        WritePasswordFile(
            "file-pw",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var ex = await Should.ThrowAsync<VaultException>(
            () => new VaultPasswordSource(new DictionaryEnvironmentReader(), _root.Path).ResolveAsync(CancellationToken.None));

        ex.Message.ShouldContain("0644");
        ex.Message.ShouldContain($"chmod 600 {PasswordFile}");
        ex.Message.ShouldNotContain("file-pw");
    }

    [Fact]
    public async Task CreatePasswordFile_writes_a_0600_random_password_that_resolves()
    {
        var password = VaultPasswordSource.CreatePasswordFile(_root.Path);

        password.Length.ShouldBe(43); // 32 bytes base64url, unpadded
        password.ShouldAllBe(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_');
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(PasswordFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (await new VaultPasswordSource(new DictionaryEnvironmentReader(), _root.Path).ResolveAsync(CancellationToken.None))
            .ShouldBe(password);
        using var otherRoot = new SecretsTempDirectory();
        VaultPasswordSource.CreatePasswordFile(otherRoot.Path).ShouldNotBe(password);
    }

    [Fact]
    public void CreatePasswordFile_refuses_to_overwrite()
    {
        var first = VaultPasswordSource.CreatePasswordFile(_root.Path);

        Should.Throw<VaultException>(() => VaultPasswordSource.CreatePasswordFile(_root.Path));

        File.ReadAllText(PasswordFile).TrimEnd().ShouldBe(first);
    }

    private void WritePasswordFile(string contents, UnixFileMode mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PasswordFile)!);
        File.WriteAllText(PasswordFile, contents);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, mode);
        }
    }

    private static void SkipOnWindows()
    {
        // /bin/sh and Unix modes are Unix-only; xunit 2 has no dynamic skip, and hyops targets Linux.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unix-only test");
        }
    }
}
