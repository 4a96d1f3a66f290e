using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HybridOps.Core.Secrets;

namespace HybridOps.Core.Tests.Secrets;

public sealed class RedactorTests
{
    [Fact]
    public void Replaces_registered_value()
    {
        var redactor = new Redactor();
        redactor.Register("hunter22");

        redactor.Redact("login with hunter22 now").ShouldBe("login with ***REDACTED*** now");
        redactor.ContainsSecret("xx hunter22 xx").ShouldBeTrue();
        redactor.ContainsSecret("nothing here").ShouldBeFalse();
    }

    [Fact]
    public void Text_without_secrets_is_returned_unchanged()
    {
        var redactor = new Redactor();
        redactor.Register("hunter22");

        const string text = "plain text";
        redactor.Redact(text).ShouldBeSameAs(text);
        new Redactor().Redact(text).ShouldBeSameAs(text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("abc")]
    public void Ignores_null_empty_and_short_values(string? value)
    {
        var redactor = new Redactor();
        redactor.Register(value);

        redactor.Count.ShouldBe(0);
        redactor.Redact("a cat sat on abc").ShouldBe("a cat sat on abc");
    }

    [Fact]
    public void Four_chars_is_the_minimum()
    {
        var redactor = new Redactor();
        redactor.Register("abcd");

        redactor.Redact("xabcdx").ShouldBe("x***REDACTED***x");
    }

    [Fact]
    public void Replaces_every_occurrence_including_overlapping_ones()
    {
        var redactor = new Redactor();
        redactor.Register("aaaa");

        redactor.Redact("aaaaa b aaaa").ShouldBe("***REDACTED*** b ***REDACTED***");
    }

    [Fact]
    public void Overlapping_secrets_leave_no_fragments()
    {
        var redactor = new Redactor();
        redactor.Register("abcdef");
        redactor.Register("xxabcd");
        redactor.Register("abcdefgh-longer");

        var result = redactor.Redact("[xxabcdef] [abcdefgh-longer] [abcd]");

        result.ShouldBe("[***REDACTED***] [***REDACTED***] [abcd]");
    }

    [Fact]
    public void Secret_that_is_a_substring_of_the_marker_does_not_mangle_it()
    {
        var redactor = new Redactor();
        redactor.Register("REDACTED");
        redactor.Register("long-secret");

        redactor.Redact("long-secret REDACTED").ShouldBe("***REDACTED*** ***REDACTED***");
    }

    [Fact]
    public void Secret_serialized_by_System_Text_Json_is_caught_with_default_encoder()
    {
        const string secret = "p\"w\\<ü>+€😀";
        var redactor = new Redactor();
        redactor.Register(secret);

        var json = JsonSerializer.Serialize(new { user = "admin", password = secret });

        // Guard: the default encoder really does escape, so the raw form alone would not match.
        json.ShouldNotContain(secret);
        json.ShouldContain("\\u");

        var redacted = redactor.Redact(json);
        redacted.ShouldBe("""{"user":"admin","password":"***REDACTED***"}""");
        redactor.ContainsSecret(json).ShouldBeTrue();
    }

    [Fact]
    public void Secret_serialized_with_relaxed_escaping_is_caught()
    {
        const string secret = "p\"w\\<ü>+€";
        var redactor = new Redactor();
        redactor.Register(secret);

        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var json = JsonSerializer.Serialize(new { password = secret }, options);
        json.ShouldNotContain(secret);

        redactor.Redact(json).ShouldBe("""{"password":"***REDACTED***"}""");
    }

    [Fact]
    public void Utf8_overload_redacts_and_passes_clean_bytes_through()
    {
        var redactor = new Redactor();
        redactor.Register("sëcret-value");

        var redacted = redactor.Redact(Encoding.UTF8.GetBytes("out: sëcret-value\n"));
        Encoding.UTF8.GetString(redacted).ShouldBe("out: ***REDACTED***\n");

        byte[] invalidUtf8 = [0x66, 0xFF, 0x6F];
        redactor.Redact(invalidUtf8).ShouldBe(invalidUtf8);
    }

    [Fact]
    public void Registering_twice_is_idempotent()
    {
        var redactor = new Redactor();
        redactor.Register("hunter22");
        var count = redactor.Count;

        redactor.Register("hunter22");

        redactor.Count.ShouldBe(count);
    }

    [Fact]
    public async Task Concurrent_register_and_redact_is_safe()
    {
        var redactor = new Redactor();
        var secrets = Enumerable.Range(0, 200).Select(i => $"secret-{i:D4}").ToArray();

        await Task.WhenAll(
            Task.Run(() => Parallel.ForEach(secrets, redactor.Register)),
            Task.Run(() => Parallel.For(0, 2_000, i => redactor.Redact($"line {i} secret-0001"))));

        foreach (var secret in secrets)
        {
            redactor.Redact($"[{secret}]").ShouldBe("[***REDACTED***]");
        }
    }
}
