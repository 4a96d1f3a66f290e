using System.Text.Json;
using HybridOps.Core.State;

namespace HybridOps.Lab;

/// <summary>Reads and atomically writes lab.json (snake_case JSON).</summary>
internal static class LabStateStore
{
    public static async Task<LabState?> LoadAsync(LabLayout layout, CancellationToken ct)
    {
        if (!File.Exists(layout.StateFile))
        {
            return null;
        }

        await using var stream = File.OpenRead(layout.StateFile);
        return await JsonSerializer.DeserializeAsync(stream, LabStateJsonContext.Default.LabState, ct);
    }

    /// <summary>Atomic (temp + fsync + rename) so a crash mid-write never leaves a torn lab.json (pids would be lost).</summary>
    public static Task SaveAsync(LabLayout layout, LabState state, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();

        // lab.json holds no secrets by construction, so nothing needs redacting.
        AtomicFile.WriteAllText(layout.StateFile, JsonSerializer.Serialize(state, LabStateJsonContext.Default.LabState), text => text);
        return Task.CompletedTask;
    }
}
