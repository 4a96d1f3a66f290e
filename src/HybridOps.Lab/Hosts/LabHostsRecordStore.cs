using System.Text.Json;
using HybridOps.Core.State;

namespace HybridOps.Lab.Hosts;

/// <summary>Reads and atomically writes hosts.json (temp + fsync + rename: a crash never tears it).</summary>
internal static class LabHostsRecordStore
{
    public static LabHostsRecord? Load(LabHostPaths paths)
    {
        if (!File.Exists(paths.RecordFile))
        {
            return null;
        }

        return JsonSerializer.Deserialize(File.ReadAllText(paths.RecordFile), LabHostsJsonContext.Default.LabHostsRecord);
    }

    /// <summary>Writes the record; hosts.json holds names, addresses and pids only, no secrets.</summary>
    public static LabHostsRecord Save(LabHostPaths paths, LabHostsRecord record)
    {
        AtomicFile.WriteAllText(paths.RecordFile, JsonSerializer.Serialize(record, LabHostsJsonContext.Default.LabHostsRecord), text => text);
        return record;
    }

    public static void Delete(LabHostPaths paths) => File.Delete(paths.RecordFile);
}
