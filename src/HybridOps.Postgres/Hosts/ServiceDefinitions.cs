using System.Text;
using System.Text.Json;

namespace HybridOps.Postgres.Hosts;

/// <summary>
/// Definition files a service manager keeps on the host (root-owned, 0644: they hold no secret),
/// written only when their content changed so an unchanged start costs one read.
/// </summary>
internal static class ServiceDefinitions
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>True when the file was (re)written.</summary>
    public static async Task<bool> WriteIfChangedAsync(IHostExecutor executor, string path, string content, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        if (await executor.GetFileAsync(path, ct) is { } current && current.AsSpan().SequenceEqual(bytes))
        {
            return false;
        }

        (await executor.RunAsync(HostCommand.Of("install", "-d", "-m", "0755", Path.GetDirectoryName(path)!) with { RunAs = HostCommand.Root }, ct)).EnsureSuccess();
        await executor.PutFileAsync(path, bytes, "root", "root", Mode, ct);
        return true;
    }

    public static string Serialize(ServiceUnit unit) => JsonSerializer.Serialize(unit, ServiceDefinitionsJsonContext.Default.ServiceUnit) + "\n";

    public static ServiceUnit? Deserialize(byte[]? content, string path)
    {
        if (content is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(content, ServiceDefinitionsJsonContext.Default.ServiceUnit)?.Validate();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a hyops service definition: {ex.Message}", ex);
        }
    }
}
