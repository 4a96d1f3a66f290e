using System.Text;

namespace HybridOps.Core.Tests.Contracts.Fuzz;

/// <summary>
/// Seeded mutations of contract texts: byte and line edits, misspelled keys, and the hazards of issue 12
/// (alias bombs, recursion, deep nesting, non-scalar keys, tabs, merge keys, second documents, bad bytes).
/// The same seed always yields the same corpus.
/// </summary>
internal sealed class ContractMutator(int seed)
{
    private static readonly string[] Hazards =
    [
        "x: &r {a: 1, b: *r}",
        "x: *undefined",
        "? {k: 1}\n: v",
        "[a, b]: v",
        "\tx: 1",
        "<<: {merged: true}",
        "<<: plain",
        "---\nkind: BlueprintSpec",
        "x: " + new string('[', 5000) + new string(']', 5000),
        "x: " + string.Concat(Enumerable.Repeat("{a: ", 70)) + "1" + new string('}', 70),
        "requires: [a, a, a]",
        "x: !!binary aGVsbG8=",
        "x: 'unterminated",
        "x: \"\\uZZZZ\"",
        "x: y: z",
        "- loose item",
        "x: &a [1, 2]\ny: {<<: *a}",
        "inputs: {apply_mode: 5, cluster_state_ref: [1], unknown_thing: 1}",
        "module_ref: platform/postgresql-ha",
        "module_ref: platform/gcp/platform-vm",
        "module_ref: \"../../etc\"",
        "state_instance: \"BAD INSTANCE\"",
        "optional: maybe",
        "action: apply",
        "mode: hybird",
    ];

    private readonly Random random = new(seed);

    public byte[] Mutate(string text)
    {
        var lines = text.Split('\n').ToList();
        var rounds = random.Next(1, 4);
        for (var i = 0; i < rounds && lines.Count > 0; i++)
        {
            var at = random.Next(lines.Count);
            var indent = new string(' ', random.Next(0, 4) * 2);
            switch (random.Next(9))
            {
                case 0: lines.Insert(at, indent + Hazards[random.Next(Hazards.Length)]); break;
                case 1: lines.RemoveAt(at); break;
                case 2: lines.Insert(at, lines[random.Next(lines.Count)]); break;
                case 3: (lines[at], lines[^1]) = (lines[^1], lines[at]); break;
                case 4: lines[at] = Misspell(lines[at]); break;
                case 5: lines[at] = indent + lines[at].TrimStart(); break;
                case 6: lines.RemoveRange(at, lines.Count - at); break;
                case 7: lines[at] = lines[at].Replace(": ", ": &a" + random.Next(3) + " ", StringComparison.Ordinal); break;
                default: lines[at] += " *a" + random.Next(3); break;
            }
        }

        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines)).ToList();
        if (random.Next(10) == 0 && bytes.Count > 0)
        {
            bytes[random.Next(bytes.Count)] = (byte)random.Next(256); // latin-1, control and broken UTF-8 bytes
        }

        if (random.Next(20) == 0)
        {
            bytes.InsertRange(0, random.Next(2) == 0 ? [0xEF, 0xBB, 0xBF] : [0xFF, 0xFE]);
        }

        return [.. bytes];
    }

    /// <summary>A blueprint built from scratch: random refs (ours, aliases, upstream-only, junk), requires and inputs.</summary>
    public string Generate(IReadOnlyList<string> moduleRefs)
    {
        var refs = moduleRefs.Concat(["platform/postgresql-ha", "platform/gcp/platform-vm", "nope/nope/nope", "Bad Ref"]).ToList();
        var n = random.Next(0, 8);
        var sb = new StringBuilder($"api_version: hybridops/v1\nkind: BlueprintSpec\nblueprint_ref: \"fuzz/generated@v{random.Next(3)}\"\nmode: \"{(random.Next(2) == 0 ? "dr" : "hybrid")}\"\nsteps:\n");
        for (var i = 0; i < n; i++)
        {
            sb.Append($"  - id: s{i}\n    module_ref: \"{refs[random.Next(refs.Count)]}\"\n");
            if (random.Next(2) == 0)
            {
                sb.Append($"    requires: [{string.Join(", ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => $"s{random.Next(n)}"))}]\n");
            }

            sb.Append($"    action: {(random.Next(4) == 0 ? "status" : "deploy")}\n    inputs:\n      apply_mode: \"{(random.Next(2) == 0 ? "restore" : "assess")}\"\n");
            if (random.Next(2) == 0)
            {
                sb.Append($"      cluster_state_ref: \"platform/onprem/postgresql-ha#s{random.Next(3)}\"\n");
            }
        }

        return sb.ToString();
    }

    private string Misspell(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 2)
        {
            return line;
        }

        var chars = line.ToCharArray();
        var i = random.Next(Math.Max(0, colon - 6), colon - 1);
        (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
        return new string(chars);
    }
}
