using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// The documented shape of one route: allowed query keys, required and allowed body keys (dotted paths for
/// nested objects). A call outside it is answered 400 INVALID_ARGUMENT and recorded as a violation, so a
/// client that sends an undocumented field fails the contract test.
/// </summary>
public sealed record FakeContract(string[] Query, string[] RequiredBody, string[] AllowedBody)
{
    public static readonly FakeContract NoBody = new([], [], []);

    public IEnumerable<string> Violations(FakeRequest request)
    {
        foreach (var key in request.Query.Keys.Where(k => !Query.Contains(k)))
        {
            yield return $"{request}: query parameter '{key}' is not in the API";
        }

        var present = request.Body is null ? [] : Paths(request.Body, "").ToList();
        foreach (var key in RequiredBody.Where(k => !present.Contains(k)))
        {
            yield return $"{request}: required body field '{key}' is missing";
        }

        foreach (var key in present.Where(k => !AllowedBody.Any(a => a == k || k.StartsWith(a + ".", StringComparison.Ordinal) || a.StartsWith(k + ".", StringComparison.Ordinal) || a.StartsWith(k + "[].", StringComparison.Ordinal))))
        {
            yield return $"{request}: body field '{key}' is not in the API";
        }
    }

    /// <summary>Dotted paths of every field; arrays of objects contribute "field[].sub".</summary>
    private static IEnumerable<string> Paths(JsonObject o, string prefix)
    {
        foreach (var (key, value) in o)
        {
            var path = prefix + key;
            yield return path;
            var nested = value switch
            {
                JsonObject child => Paths(child, path + "."),
                JsonArray { Count: > 0 } a when a[0] is JsonObject => a.OfType<JsonObject>().SelectMany(e => Paths(e, path + "[].")),
                _ => [],
            };
            foreach (var n in nested)
            {
                yield return n;
            }
        }
    }
}
