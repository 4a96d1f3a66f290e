using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// Long-running operations that advance one step per read (PENDING -> RUNNING -> DONE for Cloud SQL,
/// done false -> true for DMS). The effect runs when the operation completes; a failing operation
/// completes with an error and no effect.
/// </summary>
public sealed class FakeOperations
{
    private readonly Dictionary<string, Entry> entries = [];
    private readonly object gate = new();
    private int counter;

    /// <summary>Reads before an operation is done (0: done at once).</summary>
    public int StepsToDone { get; set; } = 2;

    public string Create(Func<Task> effect, bool fail, string failMessage)
    {
        lock (gate)
        {
            var name = $"op-{Interlocked.Increment(ref counter):D4}-{Guid.NewGuid().ToString("N")[..8]}";
            entries[name] = new Entry(effect, fail, failMessage) { StepsLeft = StepsToDone };
            return name;
        }
    }

    public bool Exists(string name)
    {
        lock (gate)
        {
            return entries.ContainsKey(name);
        }
    }

    /// <summary>One read: returns (done, error message or null), running the effect when it completes.</summary>
    public async Task<(bool Done, bool Running, string? Error)> AdvanceAsync(string name)
    {
        Entry entry;
        lock (gate)
        {
            entry = entries[name];
            if (entry.Done)
            {
                return (true, false, entry.Fail ? entry.FailMessage : null);
            }

            if (entry.StepsLeft-- > 0)
            {
                return (false, entry.StepsLeft < StepsToDone - 1 || StepsToDone == 1, null);
            }

            entry.Done = true;
        }

        if (!entry.Fail)
        {
            await entry.Effect();
        }

        return (true, false, entry.Fail ? entry.FailMessage : null);
    }

    public static JsonObject Timestamp(JsonObject o, string key)
    {
        o[key] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        return o;
    }

    private sealed record Entry(Func<Task> Effect, bool Fail, string FailMessage)
    {
        public int StepsLeft { get; set; }

        public bool Done { get; set; }
    }
}
