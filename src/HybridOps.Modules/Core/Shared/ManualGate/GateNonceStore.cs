using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.State;

namespace HybridOps.Modules.Core.Shared.ManualGate;

/// <summary>
/// The latest nonce issued for one gate: &lt;root&gt;/state/gates/&lt;gate_id&gt;[#instance].json.
/// Issuing replaces any earlier nonce (only the latest is valid); a successful confirmation marks it consumed.
/// </summary>
internal sealed class GateNonceStore(string statesModulesDir, string gateId, string? instance)
{
    public string FilePath { get; } = Path.Combine(
        Path.GetDirectoryName(statesModulesDir) ?? statesModulesDir, "gates", instance is null ? $"{gateId}.json" : $"{gateId}#{instance}.json");

    public JsonObject? Read() => File.Exists(FilePath) ? JsonNode.Parse(File.ReadAllText(FilePath)) as JsonObject : null;

    public void Write(JsonObject doc) => AtomicFile.WriteAllText(FilePath, doc.ToJsonString(Json.Options), s => s);

    public void Delete()
    {
        if (File.Exists(FilePath))
        {
            File.Delete(FilePath);
        }
    }
}
