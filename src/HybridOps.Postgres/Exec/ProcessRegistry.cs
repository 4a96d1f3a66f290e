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
        var spawned = patronis.SelectMany(p => Descendants(p.Pid)).ToList();
        await Task.WhenAll(patronis.Select(p => ProcessControl.TerminateAsync(p.Pid, UnixSignal.Terminate, TimeSpan.FromSeconds(30), time, ct)));
        stopped.AddRange(patronis);

        // What a Patroni killed mid-bootstrap leaves behind: a restore command it ran (a child) and the
        // postmaster it had just started (double-forked: found only through postmaster.pid of its data_dir).
        foreach (var (pid, argv) in spawned.Where(c => ProcessControl.IsAlive(c.Pid) && ProcessControl.ReadCommandLine(c.Pid).SequenceEqual(c.Argv)))
        {
            await ProcessControl.TerminateAsync(pid, UnixSignal.Terminate, TimeSpan.FromSeconds(10), time, ct);
            stopped.Add(new RegisteredProcess($"child of patroni: {argv.FirstOrDefault()}", pid, string.Join(' ', argv)));
        }

        foreach (var p in entries.Where(IsPatroni))
        {
            if (PostmasterOf(p.Marker) is { } postmaster)
            {
                var children = ProcessControl.ListChildren(postmaster.Pid);
                if (await ProcessControl.TerminateAsync(postmaster.Pid, UnixSignal.Interrupt, TimeSpan.FromSeconds(20), time, ct) == TerminationOutcome.Killed)
                {
                    foreach (var child in children.Where(ProcessControl.IsAlive))
                    {
                        ProcessControl.Signal(child, UnixSignal.Kill);
                    }
                }

                stopped.Add(postmaster);
            }

            // An initdb or pg_basebackup the killed Patroni had started after the descendants were listed: an orphan
            // now, found by the data_dir in its argv, and stopped before anyone deletes or reuses that directory.
            if (DataDirOf(p.Marker) is { } dataDir)
            {
                foreach (var pid in ProcessControl.FindByArgument(dataDir).Where(pid => stopped.All(s => s.Pid != pid)))
                {
                    var argv = ProcessControl.ReadCommandLine(pid);
                    await ProcessControl.TerminateAsync(pid, UnixSignal.Terminate, TimeSpan.FromSeconds(10), time, ct);
                    stopped.Add(new RegisteredProcess($"left by patroni: {argv.FirstOrDefault()}", pid, string.Join(' ', argv)));
                }
            }
        }

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

    /// <summary>
    /// The live postmaster of the data_dir a Patroni config names (its postmaster.pid, argv checked), or null.
    /// <paramref name="patroniConfig"/> is the registered Patroni's marker: its config file.
    /// </summary>
    public static RegisteredProcess? PostmasterOf(string patroniConfig)
    {
        try
        {
            var dataDir = DataDirOf(patroniConfig);
            var pidFile = dataDir is null ? null : Path.Combine(dataDir, "postmaster.pid");
            return pidFile is not null && File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && ProcessControl.CommandLineContains(pid, dataDir!)
                ? new RegisteredProcess("postgres", pid, dataDir!)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The data_dir a Patroni config names, or null when the file is missing or names none.</summary>
    public static string? DataDirOf(string patroniConfig)
    {
        try
        {
            return File.Exists(patroniConfig)
                ? File.ReadLines(patroniConfig).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("data_dir:", StringComparison.Ordinal))?["data_dir:".Length..].Trim().Trim('\'', '"') is { Length: > 1 } d ? d : null
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<(int Pid, IReadOnlyList<string> Argv)> Descendants(int pid)
    {
        var found = new List<(int, IReadOnlyList<string>)>();
        foreach (var child in ProcessControl.ListChildren(pid))
        {
            found.Add((child, ProcessControl.ReadCommandLine(child)));
            found.AddRange(Descendants(child));
        }

        return found;
    }

    private static void Save(string registryFile, IReadOnlyList<RegisteredProcess> processes)
    {
        var temp = registryFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new ProcessRegistryDocument { Processes = [.. processes] }, ProcessRegistryJsonContext.Default.ProcessRegistryDocument));
        File.Move(temp, registryFile, overwrite: true);
    }
}
