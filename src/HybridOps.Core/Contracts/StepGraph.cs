using System.Collections.Immutable;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Contracts;

/// <summary>Orders blueprint steps by `requires` (Kahn's algorithm, file order breaks ties) and reports cycles.</summary>
internal static class StepGraph
{
    public static ImmutableArray<BlueprintStep> Order(IReadOnlyList<BlueprintStep> steps, List<Diagnostic> errors)
    {
        var byId = new Dictionary<string, BlueprintStep>(StringComparer.Ordinal);
        foreach (var s in steps)
        {
            if (!byId.TryAdd(s.Id, s))
            {
                errors.Add(DiagnosticCatalog.DuplicateStepId.Create($"step id '{s.Id}' is used twice", s.Location));
            }
        }

        if (byId.Count != steps.Count)
        {
            return [.. steps]; // duplicate ids (reported above) make the order meaningless
        }

        foreach (var s in steps)
        {
            foreach (var r in s.Requires.Where(r => !byId.ContainsKey(r)))
            {
                errors.Add(DiagnosticCatalog.UnknownDependency.Create($"step '{s.Id}' requires unknown step '{r}'", s.Location));
            }
        }

        var pending = steps.ToDictionary(s => s.Id, s => s.Requires.Distinct(StringComparer.Ordinal).Count(byId.ContainsKey), StringComparer.Ordinal);
        var ordered = new List<BlueprintStep>();
        while (ordered.Count < steps.Count)
        {
            var next = steps.FirstOrDefault(s => pending.TryGetValue(s.Id, out var n) && n == 0);
            if (next is null)
            {
                var stuck = steps.Where(s => pending.ContainsKey(s.Id)).ToList();
                var cycle = string.Join(" -> ", FindCycle(stuck, byId));
                errors.Add(DiagnosticCatalog.DependencyCycle.Create($"dependency cycle: {cycle}", stuck[0].Location));
                return [.. ordered];
            }

            pending.Remove(next.Id);
            ordered.Add(next);
            foreach (var s in steps.Where(s => pending.ContainsKey(s.Id) && s.Requires.Contains(next.Id)))
            {
                pending[s.Id]--;
            }
        }

        return [.. ordered];
    }

    private static List<string> FindCycle(List<BlueprintStep> stuck, Dictionary<string, BlueprintStep> byId)
    {
        // Every stuck step has an unmet requirement inside the stuck set; walking them must revisit a node.
        var names = stuck.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var path = new List<string>();
        var current = stuck[0].Id;
        while (!path.Contains(current))
        {
            path.Add(current);
            current = byId[current].Requires.First(names.Contains);
        }

        var cycle = path.Skip(path.IndexOf(current)).ToList();
        cycle.Add(current);
        return cycle;
    }
}
