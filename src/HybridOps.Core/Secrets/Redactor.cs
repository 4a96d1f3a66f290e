using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace HybridOps.Core.Secrets;

/// <summary>
/// Thread-safe registry of secret VALUES that must never reach logs, state files or terminal
/// output. Matching is on exact values, not patterns: a resolved secret is registered the moment
/// it is read, so anything that later echoes it (a failing tool, a serialized request) is caught.
/// </summary>
public sealed class Redactor
{
    /// <summary>The text every secret occurrence is replaced with.</summary>
    public const string Marker = "***REDACTED***";

    /// <summary>
    /// Values shorter than this are ignored: redacting a 1-3 character value such as "a" or "on"
    /// would shred ordinary text and make output useless, while such values are not meaningful
    /// secrets anyway.
    /// </summary>
    public const int MinimumLength = 4;

    // System.Text.Json encoders whose output a secret may appear in. Default is what
    // JsonSerializer/Utf8JsonWriter/JsonEncodedText use out of the box (escapes '"', '\', HTML-sensitive
    // characters such as '<' '>' '&' '\'' '+', and all non-ASCII as \uXXXX); UnsafeRelaxedJsonEscaping
    // is what pretty/human-facing writers use; UnicodeRanges.All is the other common configuration
    // (keeps non-ASCII literal but still escapes HTML-sensitive characters).
    private static readonly JavaScriptEncoder[] JsonEncoders =
    [
        JavaScriptEncoder.Default,
        JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        JavaScriptEncoder.Create(UnicodeRanges.All),
    ];

    private readonly Lock _gate = new();

    // Copy-on-write snapshot: Register (rare) swaps in a new immutable snapshot under the lock,
    // Redact/ContainsSecret (hot, called for every log line) read it lock-free.
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Number of distinct forms (raw + JSON-escaped) currently registered.</summary>
    public int Count => _snapshot.Values.Length;

    /// <summary>
    /// Registers a secret value (and its JSON-escaped forms). Null, empty and values shorter than
    /// <see cref="MinimumLength"/> are ignored.
    /// </summary>
    public void Register(string? value)
    {
        if (value is null || value.Length < MinimumLength)
        {
            return;
        }

        var forms = new HashSet<string>(StringComparer.Ordinal) { value };
        foreach (var encoder in JsonEncoders)
        {
            forms.Add(JsonEncodedText.Encode(value, encoder).ToString());
        }

        lock (_gate)
        {
            var current = _snapshot;
            forms.ExceptWith(current.Values);
            if (forms.Count == 0)
            {
                return;
            }

            _snapshot = Snapshot.Create([.. current.Values, .. forms]);
        }
    }

    /// <summary>True when <paramref name="text"/> contains any registered value.</summary>
    public bool ContainsSecret(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var snapshot = _snapshot;
        return snapshot.Search is not null && text.AsSpan().IndexOfAny(snapshot.Search) >= 0;
    }

    /// <summary>Returns <paramref name="text"/> with every registered value replaced by <see cref="Marker"/>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var snapshot = _snapshot;

        // Fast path: the vast majority of lines contain no secret.
        if (snapshot.Search is null || text.AsSpan().IndexOfAny(snapshot.Search) < 0)
        {
            return text;
        }

        // Mark every character covered by any occurrence of any value (values are ordered longest
        // first), then emit one marker per covered run. This is the union of all matches, so
        // overlapping or adjacent secrets (e.g. "abcdef" and "xxabcd" in "xxabcdef") are removed
        // entirely; sequential string.Replace would leave fragments of one of them behind, and
        // could even match inside a previously inserted marker.
        var covered = new bool[text.Length];
        foreach (var value in snapshot.Values)
        {
            var start = 0;
            while (start < text.Length)
            {
                var index = text.IndexOf(value, start, StringComparison.Ordinal);
                if (index < 0)
                {
                    break;
                }

                covered.AsSpan(index, value.Length).Fill(true);

                // Advance by one, not by value.Length, so overlapping occurrences of the same
                // value ("aaaa" in "aaaaa") are all covered.
                start = index + 1;
            }
        }

        var builder = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (!covered[i])
            {
                var runEnd = Array.IndexOf(covered, true, i);
                if (runEnd < 0)
                {
                    runEnd = text.Length;
                }

                builder.Append(text, i, runEnd - i);
                i = runEnd;
            }
            else
            {
                var runEnd = Array.IndexOf(covered, false, i);
                builder.Append(Marker);
                i = runEnd < 0 ? text.Length : runEnd;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// UTF-8 convenience for output captured from child processes. Input without secrets is
    /// returned byte-for-byte; otherwise it is decoded, redacted and re-encoded (so invalid UTF-8
    /// sequences in such input become U+FFFD, which is acceptable for log text).
    /// </summary>
    public byte[] Redact(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8);
        var redacted = Redact(text);
        return ReferenceEquals(redacted, text) ? utf8.ToArray() : Encoding.UTF8.GetBytes(redacted);
    }

    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], null);

        private Snapshot(string[] values, SearchValues<string>? search)
        {
            Values = values;
            Search = search;
        }

        /// <summary>All registered forms, longest first.</summary>
        public string[] Values { get; }

        /// <summary>Vectorized multi-string search over <see cref="Values"/>; null when empty.</summary>
        public SearchValues<string>? Search { get; }

        public static Snapshot Create(string[] values)
        {
            Array.Sort(values, static (a, b) => b.Length != a.Length ? b.Length.CompareTo(a.Length) : string.CompareOrdinal(a, b));
            return new Snapshot(values, SearchValues.Create(values, StringComparison.Ordinal));
        }
    }
}
