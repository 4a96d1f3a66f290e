using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops secrets set|list|rm`: the encrypted vault under the runtime root. Values are read from
/// stdin or another env var, never from argv (argv is visible to every user in `ps`).
/// </summary>
public static class SecretsCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("secrets", "Manage secrets in the encrypted vault (<root>/vault); values never appear in argv, state or logs");
        var name = new Argument<string>("NAME") { Description = "Secret name, env-key style (e.g. PATRONI_SUPERUSER_PASSWORD)" };
        var fromEnv = new Option<string?>("--from-env") { Description = "Read the value from this environment variable instead of stdin" };

        var set = new Command("set", "Store a secret; the value is read from stdin (first line) or --from-env VAR") { name, fromEnv };
        set.SetAction((parse, ct) => WithVault(invocation(parse), vault =>
        {
            var inv = invocation(parse);
            var key = parse.GetValue(name)!;
            var source = parse.GetValue(fromEnv);
            var value = source is null ? inv.IO.In.ReadLine() : inv.Environment.GetValueOrDefault(source);
            if (string.IsNullOrEmpty(value))
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired, $"no value for secret '{key}' on {(source is null ? "stdin" : $"${source}")}");
            }

            if (!SecretName.IsValid(key))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"secret name '{key}' is not env-key style ([A-Z][A-Z0-9_]*)");
            }

            vault.Set(key, value);
            vault.Save();
            inv.Renderer.Result(new JsonObject { ["status"] = "ok", ["name"] = key }, w => w.WriteLine($"stored {key}"));
            return 0;
        }));

        var list = new Command("list", "List secret names (never values)");
        list.SetAction((parse, ct) => WithVault(invocation(parse), vault =>
        {
            invocation(parse).Renderer.Result(new JsonObject { ["names"] = new JsonArray(vault.Names.Select(n => (JsonNode?)n).ToArray()) },
                w => { foreach (var n in vault.Names) { w.WriteLine(n); } });
            return 0;
        }));

        var rm = new Command("rm", "Remove a secret") { name };
        rm.SetAction((parse, ct) => WithVault(invocation(parse), vault =>
        {
            var key = parse.GetValue(name)!;
            var removed = vault.Remove(key);
            vault.Save();
            invocation(parse).Renderer.Result(new JsonObject { ["removed"] = removed, ["name"] = key }, w => w.WriteLine(removed ? $"removed {key}" : $"{key} was not set"));
            return removed ? 0 : (int)ExitCode.InputError;
        }));

        cmd.Subcommands.Add(set);
        cmd.Subcommands.Add(list);
        cmd.Subcommands.Add(rm);
        return cmd;
    }

    private static Task<int> WithVault(Invocation inv, Func<Vault, int> body) => HyopsCli.Guarded(inv, () =>
    {
        var vault = inv.OpenVault() ?? throw HyopsException.From(DiagnosticCatalog.VaultUnavailable,
            "no vault password configured (HYOPS_VAULT_PASSWORD, HYOPS_VAULT_PASSWORD_COMMAND or <root>/vault/password)");
        return Task.FromResult(body(vault));
    });
}
