using System.Text.Json;
using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;

namespace HybridOps.Core.Tests.Secrets;

public sealed class VaultTests : IDisposable
{
    // Small on purpose: the default 210k iterations would make every test take ~100 ms per derive.
    private const int FastIterations = 1_000;

    private readonly SecretsTempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Missing_file_opens_as_empty_vault()
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);

        vault.Names.ShouldBeEmpty();
        vault.TryGet("ANYTHING", out _).ShouldBeFalse();
        File.Exists(_root.VaultFile).ShouldBeFalse();
    }

    [Fact]
    public void Round_trip_preserves_values_including_awkward_characters()
    {
        var vault = Vault.Open(_root.VaultFile, "correct horse", FastIterations);
        vault.Set("HCLOUD_TOKEN", "tok-123");
        vault.Set("PG_PASSWORD", "p\"a\\s<s>+ü€😀\n");
        vault.Set("EMPTY_OK", "");
        vault.Save();

        var reopened = Vault.Open(_root.VaultFile, "correct horse", FastIterations);

        reopened.Names.ShouldBe(["EMPTY_OK", "HCLOUD_TOKEN", "PG_PASSWORD"]);
        reopened.TryGet("HCLOUD_TOKEN", out var token).ShouldBeTrue();
        token.ShouldBe("tok-123");
        reopened.TryGet("PG_PASSWORD", out var pg).ShouldBeTrue();
        pg.ShouldBe("p\"a\\s<s>+ü€😀\n");
        reopened.TryGet("EMPTY_OK", out var empty).ShouldBeTrue();
        empty.ShouldBe("");
    }

    [Fact]
    public void Remove_persists_after_save()
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("A_KEY", "value-a");
        vault.Set("B_KEY", "value-b");
        vault.Save();

        vault.Remove("A_KEY").ShouldBeTrue();
        vault.Remove("A_KEY").ShouldBeFalse();
        vault.Save();

        Vault.Open(_root.VaultFile, "pw", FastIterations).Names.ShouldBe(["B_KEY"]);
    }

    [Fact]
    public void Envelope_has_documented_shape_and_no_plaintext()
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("HCLOUD_TOKEN", "super-secret-value");
        vault.Save();

        var text = File.ReadAllText(_root.VaultFile);
        text.ShouldNotContain("super-secret-value");
        text.ShouldNotContain("HCLOUD_TOKEN");

        var envelope = JsonNode.Parse(text)!.AsObject();
        envelope["format"]!.GetValue<string>().ShouldBe("hyops-vault/1");
        envelope["kdf"]!.GetValue<string>().ShouldBe("pbkdf2-sha256");
        envelope["iterations"]!.GetValue<int>().ShouldBe(FastIterations);
        Convert.FromBase64String(envelope["salt"]!.GetValue<string>()).Length.ShouldBe(16);
        Convert.FromBase64String(envelope["nonce"]!.GetValue<string>()).Length.ShouldBe(12);
        Convert.FromBase64String(envelope["tag"]!.GetValue<string>()).Length.ShouldBe(16);
        Convert.FromBase64String(envelope["ciphertext"]!.GetValue<string>()).ShouldNotBeEmpty();
    }

    [Fact]
    public void Wrong_password_throws_VaultException()
    {
        var vault = Vault.Open(_root.VaultFile, "right", FastIterations);
        vault.Set("KEY", "value");
        vault.Save();

        var ex = Should.Throw<VaultException>(() => Vault.Open(_root.VaultFile, "wrong", FastIterations));

        ex.Message.ShouldContain("vault password is wrong or the vault file was modified");
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("nonce")]
    [InlineData("salt")]
    public void Flipped_byte_in_envelope_field_throws_VaultException(string field)
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("KEY", "value");
        vault.Save();

        var envelope = JsonNode.Parse(File.ReadAllText(_root.VaultFile))!.AsObject();
        var bytes = Convert.FromBase64String(envelope[field]!.GetValue<string>());
        bytes[0] ^= 0x01;
        envelope[field] = Convert.ToBase64String(bytes);
        File.WriteAllText(_root.VaultFile, envelope.ToJsonString());

        var ex = Should.Throw<VaultException>(() => Vault.Open(_root.VaultFile, "pw", FastIterations));

        ex.Message.ShouldContain("vault password is wrong or the vault file was modified");
    }

    [Fact]
    public void Flipped_raw_file_byte_throws_VaultException_not_a_raw_exception()
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("KEY", "value");
        vault.Save();

        var bytes = File.ReadAllBytes(_root.VaultFile);
        bytes[0] ^= 0xFF; // breaks the JSON envelope itself
        File.WriteAllBytes(_root.VaultFile, bytes);

        Should.Throw<VaultException>(() => Vault.Open(_root.VaultFile, "pw", FastIterations));
    }

    [Fact]
    public void Unsupported_format_is_reported()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_root.VaultFile)!);
        File.WriteAllText(_root.VaultFile, """{"format":"hyops-vault/99"}""");

        var ex = Should.Throw<VaultException>(() => Vault.Open(_root.VaultFile, "pw", FastIterations));

        ex.Message.ShouldContain("hyops-vault/99");
    }

    [Fact]
    public void Each_save_uses_fresh_nonce_and_salt()
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("KEY", "value");

        vault.Save();
        var first = JsonNode.Parse(File.ReadAllText(_root.VaultFile))!;
        vault.Save();
        var second = JsonNode.Parse(File.ReadAllText(_root.VaultFile))!;

        second["nonce"]!.GetValue<string>().ShouldNotBe(first["nonce"]!.GetValue<string>());
        second["salt"]!.GetValue<string>().ShouldNotBe(first["salt"]!.GetValue<string>());
        second["ciphertext"]!.GetValue<string>().ShouldNotBe(first["ciphertext"]!.GetValue<string>());
    }

    [Fact]
    public void Save_is_atomic_and_leaves_no_temp_files()
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("KEY", "value");
        vault.Save();
        vault.Save();

        Directory.GetFiles(Path.GetDirectoryName(_root.VaultFile)!)
            .Select(Path.GetFileName)
            .ShouldBe(["vault.json.enc"]);
    }

    [Fact]
    public void Vault_file_is_0600_and_new_vault_dir_is_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions only.
        }

        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("KEY", "value");
        vault.Save();

        File.GetUnixFileMode(_root.VaultFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.GetDirectoryName(_root.VaultFile)!)
            .ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lower")]
    [InlineData("1STARTS_WITH_DIGIT")]
    [InlineData("_LEADING")]
    [InlineData("HAS-DASH")]
    [InlineData("HAS SPACE")]
    [InlineData("TRAILING_NEWLINE\n")]
    [InlineData("ÜMLAUT")]
    public void Invalid_names_are_rejected_with_clear_message(string name)
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);

        var ex = Should.Throw<ArgumentException>(() => vault.Set(name, "value"));

        ex.Message.ShouldContain("invalid secret name");
        ex.Message.ShouldContain("^[A-Z][A-Z0-9_]{0,127}$");
        Should.Throw<ArgumentException>(() => vault.TryGet(name, out _));
        Should.Throw<ArgumentException>(() => vault.Remove(name));
    }

    [Fact]
    public void Name_length_limit_is_128()
    {
        SecretName.IsValid("A" + new string('B', 127)).ShouldBeTrue();
        SecretName.IsValid("A" + new string('B', 128)).ShouldBeFalse();
        SecretName.IsValid("A").ShouldBeTrue();
        SecretName.IsValid("HCLOUD_TOKEN_2").ShouldBeTrue();
    }

    [Fact]
    public void Default_path_is_under_vault_dir()
    {
        Vault.DefaultPath("/srv/hyops").ShouldBe(Path.Combine("/srv/hyops", "vault", "vault.json.enc"));
    }

    [Fact]
    public void Payload_is_a_json_object_of_names_to_values()
    {
        // Guards the documented payload format by decrypting through the public API after a
        // save with values that need JSON escaping.
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set("JSONY", "{\"nested\": [1,2]}");
        vault.Save();

        Vault.Open(_root.VaultFile, "pw", FastIterations).TryGet("JSONY", out var value).ShouldBeTrue();
        JsonDocument.Parse(value).RootElement.GetProperty("nested").GetArrayLength().ShouldBe(2);
    }
}
