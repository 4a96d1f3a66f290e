// This file owns running the operator's password command. It starts /bin/sh directly instead of
// going through IProcessRunner because that runner logs/captures output for diagnostics, and the
// output here IS the vault password: it must be read into memory and never logged or echoed.
#pragma warning disable RS0030

using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace HybridOps.Core.Secrets;

/// <summary>
/// Finds the vault password. Sources, first match wins:
/// <list type="number">
/// <item>env <c>HYOPS_VAULT_PASSWORD</c> (CI, containers);</item>
/// <item>env <c>HYOPS_VAULT_PASSWORD_COMMAND</c>, run with <c>/bin/sh -c</c>; its stdout (minus the trailing newline) is the password (pass, gpg, cloud secret managers);</item>
/// <item>file <c>&lt;runtimeRoot&gt;/vault/password</c> if it exists and is 0600 or stricter (workstations, the embedded lab);</item>
/// <item>otherwise null: no vault password is configured.</item>
/// </list>
/// Empty environment variables count as unset, because CI systems often define them empty.
/// </summary>
public sealed class VaultPasswordSource
{
    /// <summary>Environment variable holding the password itself.</summary>
    public const string PasswordVariable = "HYOPS_VAULT_PASSWORD";

    /// <summary>Environment variable holding a shell command that prints the password.</summary>
    public const string PasswordCommandVariable = "HYOPS_VAULT_PASSWORD_COMMAND";

    /// <summary>Name of the password file inside the vault directory.</summary>
    public const string PasswordFileName = "password";

    /// <summary>Default time the password command may run before it is killed.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly IEnvironmentReader _environment;
    private readonly string _runtimeRoot;
    private readonly TimeSpan _commandTimeout;

    /// <summary>Creates a source using <see cref="DefaultCommandTimeout"/>.</summary>
    public VaultPasswordSource(IEnvironmentReader environment, string runtimeRoot)
        : this(environment, runtimeRoot, DefaultCommandTimeout)
    {
    }

    /// <summary>
    /// Creates a source. <paramref name="commandTimeout"/> bounds the password command, so a command
    /// that waits for input that never comes fails the run instead of hanging it.
    /// </summary>
    public VaultPasswordSource(IEnvironmentReader environment, string runtimeRoot, TimeSpan commandTimeout)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrEmpty(runtimeRoot);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(commandTimeout, TimeSpan.Zero);
        _environment = environment;
        _runtimeRoot = runtimeRoot;
        _commandTimeout = commandTimeout;
    }

    /// <summary>Path of the password file for a runtime root.</summary>
    public static string PasswordFilePath(string runtimeRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(runtimeRoot);
        return Path.Combine(runtimeRoot, "vault", PasswordFileName);
    }

    /// <summary>
    /// Generates a random 32-byte base64url password into <c>&lt;runtimeRoot&gt;/vault/password</c>
    /// (mode 0600) and returns it. Used by the embedded lab when no password is configured.
    /// Refuses to overwrite an existing file: that would make the existing vault unreadable.
    /// </summary>
    /// <exception cref="VaultException">The password file already exists.</exception>
    public static string CreatePasswordFile(string runtimeRoot)
    {
        var path = PasswordFilePath(runtimeRoot);
        Vault.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);

        // base64url: no '/', '+' or '=' so the password is safe to paste into shells and env files.
        var password = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        try
        {
            Vault.WriteAtomically(path, Encoding.UTF8.GetBytes(password + "\n"), overwrite: false);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new VaultException(
                $"vault password file {path} already exists; refusing to overwrite it because the existing vault would become unreadable",
                ex);
        }

        return password;
    }

    /// <summary>
    /// Blocking variant of <see cref="ResolveAsync"/>, for synchronous call sites such as the lazy
    /// vault factory handed to <see cref="SecretResolver"/> (a CLI has no synchronization context, so
    /// blocking cannot deadlock).
    /// </summary>
    public string? Resolve() => ResolveAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Returns the vault password, or null when none is configured.</summary>
    /// <exception cref="VaultException">A configured source is unusable (command failed, unsafe file mode, empty value).</exception>
    public async Task<string?> ResolveAsync(CancellationToken cancellationToken)
    {
        var direct = _environment.Get(PasswordVariable);
        if (!string.IsNullOrEmpty(direct))
        {
            return direct;
        }

        var command = _environment.Get(PasswordCommandVariable);
        if (!string.IsNullOrWhiteSpace(command))
        {
            return await RunPasswordCommandAsync(command, cancellationToken);
        }

        var file = PasswordFilePath(_runtimeRoot);
        return File.Exists(file) ? await ReadPasswordFileAsync(file, cancellationToken) : null;
    }

    private static async Task<string> ReadPasswordFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new VaultException(
                    $"vault password file {path} has mode {FormatMode(mode)} and is accessible to other users; it must be 0600 or stricter. Fix: chmod 600 {path}");
            }
        }

        var password = TrimTrailingNewlines(await File.ReadAllTextAsync(path, cancellationToken));
        return password.Length > 0
            ? password
            : throw new VaultException($"vault password file {path} is empty");
    }

    private async Task<string> RunPasswordCommandAsync(string command, CancellationToken cancellationToken)
    {
        // The command string is intentionally not included in messages: it may embed a secret
        // (e.g. "echo hunter2"). The variable name tells the operator where to look.
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", command },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,

            // Captured and discarded: it may contain the password or fragments of it.
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };

        using var process = Process.Start(startInfo)
            ?? throw new VaultException($"{PasswordCommandVariable} could not be started");

        // No input is ever provided; closing stdin makes a command that tries to prompt fail
        // instead of waiting forever.
        process.StandardInput.Close();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_commandTimeout);
        try
        {
            // Drain both pipes concurrently so a chatty stderr cannot fill its buffer and deadlock.
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await Task.WhenAll(stdout, stderr);
            await process.WaitForExitAsync(timeout.Token);

            if (process.ExitCode != 0)
            {
                throw new VaultException(
                    $"{PasswordCommandVariable} exited with code {process.ExitCode}; its output is not shown because it may contain secrets. Run the command manually to diagnose it.");
            }

            var password = TrimTrailingNewlines(await stdout);
            return password.Length > 0
                ? password
                : throw new VaultException($"{PasswordCommandVariable} succeeded but printed nothing on stdout");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillQuietly(process);
            throw new VaultException(
                $"{PasswordCommandVariable} did not finish within {_commandTimeout.TotalSeconds:0.#}s and was killed (it must not wait for input)");
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw;
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Could not be killed (e.g. already reaped); nothing more to do.
        }
    }

    // Only newlines: trailing spaces could be a legitimate part of a password.
    private static string TrimTrailingNewlines(string value) => value.TrimEnd('\r', '\n');

    private static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
