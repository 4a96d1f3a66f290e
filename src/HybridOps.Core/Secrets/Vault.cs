using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HybridOps.Core.Secrets;

/// <summary>
/// An encrypted name/value store at <c>&lt;runtimeRoot&gt;/vault/vault.json.enc</c>.
/// <para>
/// File format: a small plaintext JSON envelope
/// <c>{"format":"hyops-vault/1","kdf":"pbkdf2-sha256","iterations":N,"salt":b64,"nonce":b64,"tag":b64,"ciphertext":b64}</c>
/// whose ciphertext is AES-256-GCM over a JSON object name → value. The key is PBKDF2-SHA256 of the
/// vault password. GCM authenticates the payload, so a wrong password and a modified file are both
/// detected (and deliberately reported the same way: GCM cannot tell them apart).
/// </para>
/// <para>Not designed for concurrent writers: the last <see cref="Save"/> wins (each save is atomic).</para>
/// </summary>
public sealed class Vault
{
    /// <summary>Envelope format identifier; bump when the layout changes.</summary>
    public const string Format = "hyops-vault/1";

    /// <summary>The only supported key-derivation function.</summary>
    public const string Kdf = "pbkdf2-sha256";

    /// <summary>
    /// PBKDF2 iterations for new writes. The count is recorded in each file, so raising it later
    /// stays compatible with existing vaults (they are re-keyed at the new count on their next save).
    /// </summary>
    public const int DefaultIterations = 210_000;

    /// <summary>
    /// Upper bound accepted when reading: the iteration count sits in the unauthenticated envelope,
    /// and an absurd value from a corrupted file should fail fast rather than hang for hours.
    /// </summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>File name of the vault inside the vault directory.</summary>
    public const string FileName = "vault.json.enc";

    private const int SaltSize = 16;
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private const string TamperedMessage = "vault password is wrong or the vault file was modified";

    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _password;
    private readonly int _iterations;
    private readonly Lock _gate = new();

    // Sorted so Names and the saved payload are deterministic (stable diffs, stable listings).
    private readonly SortedDictionary<string, string> _entries;

    private Vault(string path, string password, int iterations, SortedDictionary<string, string> entries)
    {
        FilePath = path;
        _password = password;
        _iterations = iterations;
        _entries = entries;
    }

    /// <summary>Full path of the vault file.</summary>
    public string FilePath { get; }

    /// <summary>Secret names, sorted ordinally. A snapshot: later changes are not reflected.</summary>
    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Keys];
            }
        }
    }

    /// <summary>The conventional vault path for a runtime root.</summary>
    public static string DefaultPath(string runtimeRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(runtimeRoot);
        return Path.Combine(runtimeRoot, "vault", FileName);
    }

    /// <summary>Opens (decrypts) a vault with <see cref="DefaultIterations"/> for subsequent writes. A missing file is an empty vault.</summary>
    /// <exception cref="VaultException">The password is wrong, or the file was modified or is not a vault.</exception>
    public static Vault Open(string vaultFile, string password) => Open(vaultFile, password, DefaultIterations);

    /// <summary>
    /// Opens (decrypts) a vault. <paramref name="iterations"/> applies to subsequent writes; reads use
    /// the count recorded in the file. Tests pass a small count to stay fast. A missing file is an empty vault.
    /// </summary>
    /// <exception cref="VaultException">The password is wrong, or the file was modified or is not a vault.</exception>
    public static Vault Open(string vaultFile, string password, int iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(vaultFile);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);

        var path = Path.GetFullPath(vaultFile);
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            Decrypt(path, File.ReadAllBytes(path), password, entries);
        }

        return new Vault(path, password, iterations, entries);
    }

    /// <summary>Looks up a secret. Throws <see cref="ArgumentException"/> for an invalid name.</summary>
    public bool TryGet(string name, out string value)
    {
        SecretName.Validate(name, nameof(name));
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var found))
            {
                value = found;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>Adds or replaces a secret in memory; call <see cref="Save"/> to persist.</summary>
    public void Set(string name, string value)
    {
        SecretName.Validate(name, nameof(name));
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            _entries[name] = value;
        }
    }

    /// <summary>Removes a secret in memory; call <see cref="Save"/> to persist. Returns false when absent.</summary>
    public bool Remove(string name)
    {
        SecretName.Validate(name, nameof(name));
        lock (_gate)
        {
            return _entries.Remove(name);
        }
    }

    /// <summary>
    /// Encrypts with a fresh salt and nonce and atomically replaces the vault file
    /// (temp file in the same directory → fsync → rename), so a crash leaves either the old or the
    /// new vault, never a truncated one.
    /// </summary>
    public void Save()
    {
        byte[] envelope;
        lock (_gate)
        {
            envelope = Encrypt();
        }

        var directory = Path.GetDirectoryName(FilePath)!;
        EnsurePrivateDirectory(directory);
        WriteAtomically(FilePath, envelope);
    }

    /// <summary>
    /// Creates <paramref name="directory"/> as 0700 on Unix when missing. An existing directory is
    /// left alone: it may be shared (e.g. a temp dir) and the vault file itself is 0600 regardless.
    /// </summary>
    internal static void EnsurePrivateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, DirMode0700);
        }
    }

    /// <summary>
    /// Writes <paramref name="contents"/> to a 0600 temp file next to <paramref name="path"/>, flushes
    /// it to disk and renames it over the target. The temp file is created 0600 from the start so the
    /// data is never briefly readable by others.
    /// </summary>
    internal static void WriteAtomically(string path, byte[] contents, bool overwrite = true)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(contents);

                // Flush(true) = fsync: without it a crash after the rename can leave an empty file.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private byte[] Encrypt()
    {
        var plaintext = SerializePayload(_entries);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var tag = new byte[TagSize];
        var ciphertext = new byte[plaintext.Length];
        var key = DeriveKey(_password, salt, _iterations);
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }
        finally
        {
            // Best effort: the password and values also live in managed strings we cannot scrub.
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteString("kdf", Kdf);
            writer.WriteNumber("iterations", _iterations);
            writer.WriteBase64String("salt", salt);
            writer.WriteBase64String("nonce", nonce);
            writer.WriteBase64String("tag", tag);
            writer.WriteBase64String("ciphertext", ciphertext);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static byte[] SerializePayload(SortedDictionary<string, string> entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in entries)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void Decrypt(string path, byte[] fileBytes, string password, SortedDictionary<string, string> entries)
    {
        var envelope = ReadEnvelope(path, fileBytes);
        var plaintext = new byte[envelope.Ciphertext.Length];
        var key = DeriveKey(password, envelope.Salt, envelope.Iterations);
        try
        {
            using (var aes = new AesGcm(key, TagSize))
            {
                aes.Decrypt(envelope.Nonce, envelope.Ciphertext, envelope.Tag, plaintext);
            }

            ReadPayload(path, plaintext, entries);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new VaultException($"{TamperedMessage} ({path})", ex);
        }
        catch (CryptographicException ex)
        {
            // Never surface a raw CryptographicException: callers handle VaultException only.
            throw new VaultException($"{TamperedMessage} ({path})", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[] DeriveKey(string password, byte[] salt, int iterations)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, iterations, HashAlgorithmName.SHA256, KeySize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    private static Envelope ReadEnvelope(string path, byte[] fileBytes)
    {
        try
        {
            using var document = JsonDocument.Parse(fileBytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "the file is not a JSON object");
            }

            var format = RequiredString(root, "format", path);
            if (format != Format)
            {
                throw new VaultException($"vault file {path} has unsupported format '{format}' (expected '{Format}'); it was written by a newer hyops or modified");
            }

            var kdf = RequiredString(root, "kdf", path);
            if (kdf != Kdf)
            {
                throw new VaultException($"vault file {path} uses unsupported kdf '{kdf}' (expected '{Kdf}'); {TamperedMessage}");
            }

            if (!root.TryGetProperty("iterations", out var iterationsElement)
                || !iterationsElement.TryGetInt32(out var iterations)
                || iterations < 1
                || iterations > MaxIterations)
            {
                throw Invalid(path, "'iterations' is missing or out of range");
            }

            return new Envelope(
                iterations,
                RequiredBytes(root, "salt", SaltSize, path),
                RequiredBytes(root, "nonce", NonceSize, path),
                RequiredBytes(root, "tag", TagSize, path),
                RequiredBytes(root, "ciphertext", null, path));
        }
        catch (JsonException ex)
        {
            throw new VaultException($"{TamperedMessage}: {path} is not valid JSON", ex);
        }
    }

    private static void ReadPayload(string path, byte[] plaintext, SortedDictionary<string, string> entries)
    {
        // The payload is authenticated, so a malformed one means a bug or a foreign writer using
        // the same password, not an attacker; still report it as a VaultException.
        try
        {
            using var document = JsonDocument.Parse(plaintext);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "the decrypted payload is not a JSON object");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || !SecretName.IsValid(property.Name))
                {
                    // Name only: the value may be a secret.
                    throw Invalid(path, $"entry '{property.Name}' is not a valid secret");
                }

                entries[property.Name] = property.Value.GetString()!;
            }
        }
        catch (JsonException ex)
        {
            throw new VaultException($"vault file {path} decrypted but its payload is not valid JSON", ex);
        }
    }

    private static string RequiredString(JsonElement root, string property, string path) =>
        root.TryGetProperty(property, out var element) && element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw Invalid(path, $"'{property}' is missing");

    private static byte[] RequiredBytes(JsonElement root, string property, int? expectedLength, string path)
    {
        if (!root.TryGetProperty(property, out var element)
            || element.ValueKind != JsonValueKind.String
            || !element.TryGetBytesFromBase64(out var bytes))
        {
            throw Invalid(path, $"'{property}' is missing or not base64");
        }

        if (expectedLength is { } length && bytes.Length != length)
        {
            throw Invalid(path, $"'{property}' must be {length} bytes");
        }

        return bytes;
    }

    private static VaultException Invalid(string path, string detail) =>
        new($"{TamperedMessage}: {path} is not a valid hyops vault ({detail})");

    private sealed record Envelope(int Iterations, byte[] Salt, byte[] Nonce, byte[] Tag, byte[] Ciphertext);
}
