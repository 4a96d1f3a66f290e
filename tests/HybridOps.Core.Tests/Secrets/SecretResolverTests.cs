using HybridOps.Core.Secrets;

namespace HybridOps.Core.Tests.Secrets;

public sealed class SecretResolverTests : IDisposable
{
    private const int FastIterations = 1_000;

    private readonly SecretsTempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Env_wins_over_vault_and_vault_is_not_opened()
    {
        var env = new DictionaryEnvironmentReader().Set("HCLOUD_TOKEN", "env-token-value");
        var opened = 0;
        var resolver = new SecretResolver(env, () => { opened++; return VaultWith("HCLOUD_TOKEN", "vault-token-value"); }, new Redactor());

        resolver.Resolve("HCLOUD_TOKEN").ShouldBe("env-token-value");
        opened.ShouldBe(0);
    }

    [Fact]
    public void Falls_back_to_vault_opening_it_once()
    {
        var opened = 0;
        var vault = VaultWith("HCLOUD_TOKEN", "vault-token-value");
        var resolver = new SecretResolver(new DictionaryEnvironmentReader(), () => { opened++; return vault; }, new Redactor());

        resolver.Resolve("HCLOUD_TOKEN").ShouldBe("vault-token-value");
        resolver.TryResolve("OTHER_KEY", out _).ShouldBeFalse();
        opened.ShouldBe(1);
    }

    [Fact]
    public void Empty_env_value_falls_through_to_vault()
    {
        var env = new DictionaryEnvironmentReader().Set("PG_PASSWORD", "");
        var resolver = new SecretResolver(env, () => VaultWith("PG_PASSWORD", "vault-pg-pw"), new Redactor());

        resolver.Resolve("PG_PASSWORD").ShouldBe("vault-pg-pw");
    }

    [Fact]
    public void Resolved_values_are_registered_with_the_redactor()
    {
        var redactor = new Redactor();
        var env = new DictionaryEnvironmentReader().Set("A_TOKEN", "env-secret-1");
        var resolver = new SecretResolver(env, () => VaultWith("B_TOKEN", "vault-secret-2"), redactor);

        resolver.Resolve("A_TOKEN");
        resolver.TryResolve("B_TOKEN", out var b).ShouldBeTrue();
        b.ShouldBe("vault-secret-2");

        redactor.Redact("env-secret-1 vault-secret-2").ShouldBe("***REDACTED*** ***REDACTED***");
    }

    [Fact]
    public void Not_found_message_names_the_key_and_the_fix_but_no_value()
    {
        var env = new DictionaryEnvironmentReader().Set("OTHER_TOKEN", "other-env-value");
        var resolver = new SecretResolver(env, () => VaultWith("VAULT_ONLY", "other-vault-value"), new Redactor());

        var ex = Should.Throw<SecretNotFoundException>(() => resolver.Resolve("MISSING_TOKEN"));

        ex.KeyName.ShouldBe("MISSING_TOKEN");
        ex.Message.ShouldContain("MISSING_TOKEN");
        ex.Message.ShouldContain("set environment variable MISSING_TOKEN or run `hyops secrets set MISSING_TOKEN`");
        ex.Message.ShouldNotContain("other-env-value");
        ex.Message.ShouldNotContain("other-vault-value");
    }

    [Fact]
    public void No_vault_configured_means_env_only()
    {
        var resolver = new SecretResolver(new DictionaryEnvironmentReader(), () => null, new Redactor());

        resolver.TryResolve("ANY_KEY", out var value).ShouldBeFalse();
        value.ShouldBeNull();
        Should.Throw<SecretNotFoundException>(() => resolver.Resolve("ANY_KEY"));
    }

    [Fact]
    public void Non_vault_style_env_names_still_resolve_from_env_and_are_not_found_otherwise()
    {
        var env = new DictionaryEnvironmentReader().Set("lower_case_token", "lc-value");
        var resolver = new SecretResolver(env, () => VaultWith("KEY", "value"), new Redactor());

        resolver.Resolve("lower_case_token").ShouldBe("lc-value");
        resolver.TryResolve("other-name", out _).ShouldBeFalse();
    }

    [Fact]
    public void Vault_open_failure_propagates_as_VaultException()
    {
        var resolver = new SecretResolver(
            new DictionaryEnvironmentReader(),
            () => throw new VaultException("vault password is wrong or the vault file was modified"),
            new Redactor());

        Should.Throw<VaultException>(() => resolver.Resolve("SOME_KEY"));
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("db_password", true)]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("root_passwd", true)]
    [InlineData("client_secret", true)]
    [InlineData("api_token", true)]
    [InlineData("api_key", true)]
    [InlineData("api-key", true)]
    [InlineData("ApiKey", true)]
    [InlineData("ssh_private_key", true)]
    [InlineData("credentials", true)]
    [InlineData("db_password_env", false)]
    [InlineData("api_token_ENV", false)]
    [InlineData("password-env", false)]
    [InlineData("hostname", false)]
    [InlineData("replicas", false)]
    [InlineData("public_key", false)]
    public void LooksLikeSecretInputName_classifies_keys(string key, bool expected)
    {
        SecretResolver.LooksLikeSecretInputName(key).ShouldBe(expected);
    }

    private Vault VaultWith(string name, string value)
    {
        var vault = Vault.Open(_root.VaultFile, "pw", FastIterations);
        vault.Set(name, value);
        return vault;
    }
}
