using System.Text.Json;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;

namespace HybridOps.Core.State;

/// <summary>
/// Published module state under &lt;root&gt;/state/modules. Writes are atomic and redacted; the previous
/// content of a state file is kept under history/ before it is replaced, so nothing published is lost.
/// </summary>
public sealed class StateStore(string runtimeRoot, Redactor redactor)
{
    /// <summary>The runtime root this store lives under (handlers that read drill reports beside state need it).</summary>
    public string RuntimeRoot => runtimeRoot;

    public string ModulesDir => Path.Combine(runtimeRoot, "state", "modules");

    public string PathOf(string moduleRef, string? instance)
    {
        var dir = Path.Combine(ModulesDir, ModuleSpec.ToModuleId(moduleRef));
        return instance is null ? Path.Combine(dir, "latest.json") : Path.Combine(dir, "instances", $"{instance}.json");
    }

    public ModuleState? Read(string moduleRef, string? instance)
    {
        var path = PathOf(moduleRef, instance);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return Json.Deserialize(File.ReadAllText(path), CoreJsonContext.Default.ModuleState);
        }
        catch (JsonException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.StateCorrupt, $"state file '{path}' is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Reads a referenced state and fails fast unless it is present and ok.</summary>
    public ModuleState RequireOk(StateRef stateRef, string inputName)
    {
        var state = Read(stateRef.ModuleRef, stateRef.Instance)
            ?? throw HyopsException.From(DiagnosticCatalog.StateAbsent, $"input '{inputName}': no state published for '{stateRef}' (expected {PathOf(stateRef.ModuleRef, stateRef.Instance)})");
        if (state.Status != StateStatus.Ok)
        {
            var why = state.Error is null ? "" : $": {state.Error.Code} {state.Error.Message}";
            throw HyopsException.From(DiagnosticCatalog.StateNotOk, $"input '{inputName}': state '{stateRef}' has status '{state.Status}'{why}");
        }

        return state;
    }

    public void Write(ModuleState state)
    {
        var path = PathOf(state.ModuleRef, state.Instance);
        if (File.Exists(path))
        {
            var previous = Read(state.ModuleRef, state.Instance);
            if (previous is not null && previous.Status != StateStatus.Running)
            {
                var history = Path.Combine(Path.GetDirectoryName(path)!, "history", $"{state.Instance ?? "latest"}.{previous.RunId}.json");
                AtomicFile.WriteAllText(history, File.ReadAllText(path), redactor.Redact);
            }
        }

        AtomicFile.WriteAllText(path, Json.Serialize(state, CoreJsonContext.Default.ModuleState), redactor.Redact);
    }

    public IEnumerable<ModuleState> List()
    {
        if (!Directory.Exists(ModulesDir))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(ModulesDir, "*.json", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}history{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            var state = Json.Deserialize(File.ReadAllText(file), CoreJsonContext.Default.ModuleState);
            if (state is not null)
            {
                yield return state;
            }
        }
    }
}
