using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Common;

/// <summary>
/// pg_hba as Patroni owns it: read and replace `postgresql.pg_hba` in the DCS config (GET/PATCH
/// /config), then wait until each member's pg_hba_file_rules shows the intended rules.
/// </summary>
internal sealed class PatroniHba(PatroniClient patroni, TimeProvider time)
{
    /// <summary>The DCS pg_hba list from the first API that answers; HYO4001 when none does.</summary>
    public async Task<(List<string> Lines, string ApiUrl)> ReadAsync(IEnumerable<string> apiUrls, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var url in apiUrls)
        {
            try
            {
                var config = await patroni.GetConfigAsync(url, cancellationToken);
                var lines = config["postgresql"]?["pg_hba"] is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [];
                return (lines, url);
            }
            catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
            {
                failures.Add(ex.Diagnostics[0].Message);
            }
        }

        throw HyopsException.From(DiagnosticCatalog.PatroniUnreachable, $"no Patroni REST API answered: {string.Join("; ", failures)}");
    }

    public Task ReplaceAsync(string apiUrl, IEnumerable<string> lines, CancellationToken cancellationToken) =>
        patroni.PatchConfigAsync(apiUrl, new JsonObject
        {
            ["postgresql"] = new JsonObject { ["pg_hba"] = new JsonArray(lines.Select(l => (JsonNode?)l).ToArray()) },
        }, cancellationToken);

    /// <summary>
    /// Polls every member until <paramref name="applied"/> holds for its pg_hba_file_rules.
    /// Returns the members that never got there (with the last error or rule count).
    /// </summary>
    public Task<Dictionary<string, string>> WaitAsync(IReadOnlyDictionary<string, PgEndpoint> members,
        Func<IReadOnlyList<HbaLine>, bool> applied, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(members.Keys, (name, ct) => HbaRules.ReadAsync(members[name], ct), applied, timeout, cancellationToken);

    /// <summary>As above with a caller-supplied reader (e.g. a connection held open across a fence).</summary>
    public async Task<Dictionary<string, string>> WaitAsync(IEnumerable<string> members, Func<string, CancellationToken, Task<IReadOnlyList<HbaLine>>> read,
        Func<IReadOnlyList<HbaLine>, bool> applied, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = members.ToDictionary(m => m, _ => "not checked yet");
        var started = time.GetTimestamp();
        while (true)
        {
            foreach (var name in pending.Keys.ToList())
            {
                try
                {
                    var rules = await read(name, cancellationToken);
                    if (applied(rules))
                    {
                        pending.Remove(name);
                    }
                    else
                    {
                        pending[name] = $"{rules.Count} rules loaded, change not visible yet";
                    }
                }
                catch (HyopsException ex)
                {
                    pending[name] = ex.Diagnostics[0].Message;
                }
            }

            if (pending.Count == 0 || time.GetElapsedTime(started) > timeout)
            {
                return pending;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), time, cancellationToken);
        }
    }
}
