using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;

namespace HybridOps.Cli.Output;

/// <summary>
/// Renders results and diagnostics as text or JSON. In json mode stdout carries exactly one JSON
/// document; everything meant for humans goes to stderr. All output is redacted by value.
/// </summary>
public sealed class Renderer(CliIO io, bool json, Redactor redactor)
{
    public bool Json => json;

    public void Progress(string line) => io.Err.WriteLine(redactor.Redact($"  {line}"));

    public void Result(JsonObject document, Action<TextWriter> text)
    {
        if (json)
        {
            io.Out.WriteLine(redactor.Redact(document.ToJsonString(Core.Json.Options)));
        }
        else
        {
            var w = new StringWriter();
            text(w);
            io.Out.Write(redactor.Redact(w.ToString()));
        }
    }

    /// <summary>Warnings go to stderr in both modes (json mode also carries them in the result document).</summary>
    public void Warnings(IEnumerable<Diagnostic> warnings)
    {
        foreach (var d in warnings)
        {
            io.Err.WriteLine(redactor.Redact($"warning {d}"));
        }
    }

    public void Failure(HyopsException ex, JsonObject? extra = null)
    {
        if (json)
        {
            var doc = extra ?? new JsonObject();
            doc["status"] = "error";
            doc["exit_code"] = (int)ex.ExitCode;
            doc["exit_name"] = ex.ExitCode.ToString();
            doc["diagnostics"] = DiagnosticsJson(ex.Diagnostics);
            io.Out.WriteLine(redactor.Redact(doc.ToJsonString(Core.Json.Options)));
        }

        foreach (var d in ex.Diagnostics)
        {
            io.Err.WriteLine(redactor.Redact($"error {d}"));
        }
    }

    public static JsonArray DiagnosticsJson(IEnumerable<Diagnostic> diagnostics) => new(diagnostics.Select(d => (JsonNode?)new JsonObject
    {
        ["code"] = d.Code,
        ["message"] = d.Message,
        ["hint"] = d.Hint,
        ["file"] = d.Location?.File,
        ["line"] = d.Location?.Line,
        ["exit_code"] = (int)d.ExitCode,
    }).ToArray());
}
