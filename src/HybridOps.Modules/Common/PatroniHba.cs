using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
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

    /// <summary>The comment a re-written list ends with; pg_hba_file_rules ignores it, Patroni sees a new list.</summary>
    public const string RewriteMark = "# hyops: ";

    /// <summary>How long a member may miss a change before the list is written again.</summary>
    public static readonly TimeSpan RewriteAfter = TimeSpan.FromSeconds(8);

    /// <summary>
    /// <paramref name="lines"/> with one trailing comment naming the attempt (an earlier one replaced). Patroni
    /// (3.0) updates its copy of pg_hba but never writes the file when the change reaches a member whose
    /// PostgreSQL is starting or stopping (a replica copying logical slots restarts): only a NEW change
    /// reaches that member afterwards, and this comment makes the same rules a new change.
    /// </summary>
    private static List<string> Rewritten(IEnumerable<string> lines, int attempt, string runId) =>
        [.. lines.Where(l => !l.TrimStart().StartsWith(RewriteMark, StringComparison.Ordinal)), $"{RewriteMark}written again (attempt {attempt}, run {runId}): a member had missed the change"];

    /// <summary>Writes <paramref name="lines"/> again as <see cref="Rewritten"/> says, through the API that took the change, and records it.</summary>
    public async Task RewriteAsync(string apiUrl, IEnumerable<string> lines, int attempt, ModuleContext context, CancellationToken cancellationToken)
    {
        var again = Rewritten(lines, attempt, context.RunId);
        await ReplaceAsync(apiUrl, again, cancellationToken);
        context.Evidence.Action("patroni_patch_pg_hba_again", ["PATCH", $"{apiUrl}/config", "postgresql.pg_hba"], 0, TimeSpan.Zero,
            new JsonObject { ["lines"] = again.ToJsonArray(), ["attempt"] = attempt });
    }

    /// <summary>
    /// Polls every member until <paramref name="applied"/> holds for its pg_hba_file_rules.
    /// Returns the members that never got there (with the last error or rule count).
    /// </summary>
    public Task<Dictionary<string, string>> WaitAsync(IReadOnlyDictionary<string, PgEndpoint> members,
        Func<IReadOnlyList<HbaLine>, bool> applied, TimeSpan timeout, CancellationToken cancellationToken, Func<int, CancellationToken, Task>? rewrite = null) =>
        WaitAsync(members.Keys, (name, ct) => HbaRules.ReadAsync(members[name], ct), applied, timeout, cancellationToken, rewrite);

    /// <summary>
    /// As above with a caller-supplied reader (e.g. a connection held open across a fence). While a member
    /// still misses the change after <see cref="RewriteAfter"/>, <paramref name="rewrite"/> (attempt 1, 2, ...)
    /// writes the list again (see <see cref="Rewritten"/>).
    /// </summary>
    public async Task<Dictionary<string, string>> WaitAsync(IEnumerable<string> members, Func<string, CancellationToken, Task<IReadOnlyList<HbaLine>>> read,
        Func<IReadOnlyList<HbaLine>, bool> applied, TimeSpan timeout, CancellationToken cancellationToken, Func<int, CancellationToken, Task>? rewrite = null)
    {
        var pending = members.ToDictionary(m => m, _ => "not checked yet");
        var started = time.GetTimestamp();
        var lastWrite = started;
        var attempts = 0;
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

            if (rewrite is not null && time.GetElapsedTime(lastWrite) > RewriteAfter)
            {
                await rewrite(++attempts, cancellationToken);
                lastWrite = time.GetTimestamp();
            }

            // Reading pg_hba_file_rules on an open session costs about a millisecond: poll often.
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }
}
