using System.Text.Json;
using System.Text.Json.Serialization;

namespace HybridOps.Postgres.Exec;

/// <summary>One daemon a local-provider module started: its pid and a substring its argv must contain.</summary>
public sealed record RegisteredProcess(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("marker")] string Marker)
{
    /// <summary>Alive and still the same program (argv contains the marker), so a recycled pid is never signalled.</summary>
    public bool IsAlive => ProcessControl.CommandLineContains(Pid, Marker);
}

/// <summary>
/// The process registry of a local-provider site or rebuild: <c>&lt;data_root&gt;/processes.json</c>,
/// exactly <c>{"processes":[{"name":"etcd","pid":123,"marker":"..."}]}</c>. Modules record every
/// daemon they start here; destroy and `hyops lab down` stop them by pid after checking the argv.
/// Stop order: Patroni first (it stops its own PostgreSQL), then everything else, etcd last.
/// </summary>
public static class ProcessRegistry
{
    public const string FileName = "processes.json";

    public static string PathIn(string dataRoot) => Path.Combine(dataRoot, FileName);

    public static IReadOnlyList<RegisteredProcess> Load(string registryFile)
    {
        if (!File.Exists(registryFile))
        {
            return [];
        }

        try
        {
            var doc = JsonSerializer.Deserialize(File.ReadAllText(registryFile), ProcessRegistryJsonContext.Default.ProcessRegistryDocument);
            return doc?.Processes ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{registryFile} is not a process registry: {ex.Message}", ex);
        }
    }

    /// <summary>Adds <paramref name="entry"/>, replacing an entry of the same name; written atomically (temp + rename).</summary>
    public static void Register(string registryFile, RegisteredProcess entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Save(registryFile, [.. Load(registryFile).Where(p => p.Name != entry.Name), entry]);
    }

    /// <summary>Drops the entries <paramref name="remove"/> selects.</summary>
    public static void Unregister(string registryFile, Func<RegisteredProcess, bool> remove)
    {
        if (File.Exists(registryFile))
        {
            Save(registryFile, [.. Load(registryFile).Where(p => !remove(p))]);
        }
    }

    /// <summary>
    /// Stops the selected registered processes by pid (argv checked first): names containing "patroni"
    /// first, all at once; then the others except etcd, newest first; etcd last (Patroni needs it to
    /// release its leader key). Returns what was stopped; entries stay in the file (see <see cref="Unregister"/>).
    /// </summary>
    public static async Task<IReadOnlyList<RegisteredProcess>> StopAsync(
        string registryFile, Func<RegisteredProcess, bool>? select, TimeProvider time, CancellationToken ct)
    {
        var entries = Load(registryFile).Where(p => select?.Invoke(p) ?? true).Reverse().ToList();
        static bool IsPatroni(RegisteredProcess p) => p.Name.Contains("patroni", StringComparison.OrdinalIgnoreCase);
        static bool IsEtcd(RegisteredProcess p) => p.Name.Contains("etcd", StringComparison.OrdinalIgnoreCase);
        var stopped = new List<RegisteredProcess>();

        var patronis = entries.Where(p => IsPatroni(p) && p.IsAlive).ToList();
        await Task.WhenAll(patronis.Select(p => ProcessControl.TerminateAsync(p.Pid, UnixSignal.Terminate, TimeSpan.FromSeconds(30), time, ct)));
        stopped.AddRange(patronis);

        foreach (var p in entries.Where(p => !IsPatroni(p) && !IsEtcd(p)).Concat(entries.Where(IsEtcd)))
        {
            if (p.IsAlive)
            {
                // SIGINT is PostgreSQL's fast shutdown; other daemons (etcd) stop on SIGTERM.
                var signal = p.Name.StartsWith("postgres", StringComparison.Ordinal) ? UnixSignal.Interrupt : UnixSignal.Terminate;
                await ProcessControl.TerminateAsync(p.Pid, signal, TimeSpan.FromSeconds(20), time, ct);
                stopped.Add(p);
            }
        }

        return stopped;
    }

    private static void Save(string registryFile, IReadOnlyList<RegisteredProcess> processes)
    {
        var temp = registryFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new ProcessRegistryDocument { Processes = [.. processes] }, ProcessRegistryJsonContext.Default.ProcessRegistryDocument));
        File.Move(temp, registryFile, overwrite: true);
    }
}
