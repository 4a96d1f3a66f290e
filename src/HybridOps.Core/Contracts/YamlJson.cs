using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HybridOps.Core.Contracts;

/// <summary>Converts YAML nodes (read by <see cref="SafeYaml"/>) into System.Text.Json nodes, applying YAML 1.2 core-schema typing to plain scalars and merge keys.</summary>
public static class YamlJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode s => Scalar(s),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlMappingNode map => ToObject(map),
        _ => null,
    };

    public static JsonObject ToObject(YamlMappingNode map)
    {
        // Keys are scalars and depth is bounded: every YAML text reaching here went through SafeYaml.
        var obj = new JsonObject();
        foreach (var (k, v) in YamlMerge.Entries(map))
        {
            obj[k.Value ?? ""] = ToJson(v);
        }

        return obj;
    }

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var value = s.Value ?? "";
        if (s.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Any(char.IsDigit))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }
}
