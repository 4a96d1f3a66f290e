using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>
/// The entries of a YAML mapping with merge keys (<c>&lt;&lt;: *base</c>) applied, as YAML 1.1 defines
/// them: keys written in the mapping win, then the merged mappings in list order. Shapes were checked by
/// <see cref="YamlScan"/>, so every key is a scalar and every merge source a mapping.
/// </summary>
internal static class YamlMerge
{
    public static IEnumerable<KeyValuePair<YamlScalarNode, YamlNode>> Entries(YamlMappingNode map)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var merged = new List<YamlMappingNode>();
        foreach (var (k, v) in map.Children)
        {
            var key = (YamlScalarNode)k;
            if (IsMergeKey(key))
            {
                merged.AddRange(v is YamlSequenceNode list ? list.Children.OfType<YamlMappingNode>() : v is YamlMappingNode m ? [m] : []);
                continue;
            }

            seen.Add(key.Value ?? "");
            yield return new(key, v);
        }

        foreach (var source in merged)
        {
            foreach (var entry in Entries(source).Where(e => seen.Add(e.Key.Value ?? "")))
            {
                yield return entry;
            }
        }
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        Entries(map).FirstOrDefault(e => e.Key.Value == key).Value;

    private static bool IsMergeKey(YamlScalarNode key) => key.Value == "<<" && key.Style == ScalarStyle.Plain;
}
