using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Cli;

/// <summary>A temp content root, a pre-populated runtime root, a fake HOME and the env dictionary pointing at them.</summary>
internal sealed class CliTestContent : IDisposable
{
    public const string ValidInventoryInputs = """
        site: "lab"
        cluster_name: "pg-lab"
        members:
          - { name: "pg1", host: "127.0.0.1", pg_port: 5432, api_url: "http://127.0.0.1:8008" }
        superuser_password_env: "PG_SUPERUSER_PASSWORD"
        """;

    public CliTestContent(string? contentRoot = null)
    {
        ContentRoot = contentRoot ?? Dir.Combine("content");
        Env["HYOPS_CONTENT_ROOT"] = ContentRoot;
        Env["HOME"] = Dir.Combine("home");
        Dir.Write("content/modules/test/engine/echo/spec.yml", Specs.Echo());
        Dir.Write("root/state/modules/test__engine__echo/latest.json", "{\"module_ref\":\"test/engine/echo\",\"status\":\"ok\"}");
        Dir.Write("root/logs/module/test__engine__echo/run-1/record.jsonl", "{}\n");
    }

    public TempDir Dir { get; } = new();

    public string ContentRoot { get; }

    public string Root => Dir.Combine("root");

    public Dictionary<string, string> Env { get; } = new(StringComparer.Ordinal);

    public string WriteBlueprint(string blueprintRef, string yaml) =>
        Dir.Write(Path.Combine("content", "blueprints", blueprintRef, "blueprint.yml"), yaml);

    public Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync(Env, args);

    public void Dispose() => Dir.Dispose();
}
