using System.Diagnostics;
using System.Text;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Tests.Support;
using Xunit.Abstractions;

namespace HybridOps.Core.Tests.Contracts.Fuzz;

/// <summary>
/// At least 10,000 mutated and generated contracts, seeded from the repository's own specs and blueprints and
/// the upstream-shaped fixtures, go through the loader and the step-input check that `blueprint validate` runs.
/// Each must end as a result (exit 0) or catalogued diagnostics with a documented exit code; any other
/// exception is a crash. Seed <see cref="Seed"/> reproduces the corpus; a failure names the input's index.
/// The figures are printed (dotnet test --logger "console;verbosity=detailed").
/// </summary>
public sealed class ContractFuzzTests(ITestOutputHelper output)
{
    public const int Seed = 12;
    private const int Mutations = 11_000;
    private const int Generated = 1_000;

    /// <summary>Per input: far above anything a sound loader needs; an alias bomb or runaway recursion exceeds it.</summary>
    private const long MaxAllocatedBytesPerInput = 64L * 1024 * 1024;

    [Fact]
    public void TenThousandMutatedContracts_EachEndInExit0OrADocumentedCode_NeverAnUnhandledException()
    {
        var content = new ContentRoot(RepoRoot.Path);
        var modules = content.Modules;
        var specs = new Dictionary<string, ModuleSpec>(StringComparer.Ordinal);
        ModuleSpec Load(string r) => specs.TryGetValue(r, out var s) ? s : specs[r] = content.LoadModule(r);
        var seeds = Seeds(content).ToList();
        var mutator = new ContractMutator(Seed);
        var codes = typeof(DiagnosticCatalog).GetFields().Select(f => f.GetValue(null)).OfType<DiagnosticDescriptor>().Select(d => d.Code).ToHashSet();
        var exits = new SortedDictionary<int, int>();
        var crashes = new List<string>();
        var maxAllocated = 0L;
        var maxMs = 0.0;
        var total = 0;

        void Run(int index, string name, bool isSpec, byte[] bytes)
        {
            total++;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            var exit = 0;
            try
            {
                var errors = new List<Diagnostic>();
                var node = SafeYaml.LoadBytes(name, bytes, errors);
                var text = errors.Count == 0 ? Encoding.UTF8.GetString(bytes.AsSpan().StartsWith((byte[])[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes) : "";
                if (errors.Count > 0)
                {
                    throw new HyopsException([.. errors]);
                }

                if (isSpec)
                {
                    ContractLoader.LoadModuleText(name, text);
                }
                else
                {
                    var bp = ContractLoader.LoadBlueprintText(name, text, modules);
                    BlueprintCheck.Run(bp, Load, null).ThrowIfErrors();
                }

                _ = node;
            }
            catch (HyopsException ex)
            {
                exit = (int)ex.ExitCode;
                var undocumented = ex.Diagnostics.Where(d => !codes.Contains(d.Code) || !Enum.IsDefined(d.ExitCode)).ToList();
                if (undocumented.Count > 0 || ex.Diagnostics.IsEmpty)
                {
                    crashes.Add($"#{index} {name}: undocumented {string.Join(", ", undocumented.Select(d => d.Code))}");
                }
            }
            catch (Exception ex)
            {
                crashes.Add($"#{index} {name}: {ex.GetType().Name}: {ex.Message}");
                exit = 1;
            }

            maxMs = Math.Max(maxMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            maxAllocated = Math.Max(maxAllocated, GC.GetAllocatedBytesForCurrentThread() - allocated);
            exits[exit] = exits.GetValueOrDefault(exit) + 1;
        }

        for (var i = 0; i < seeds.Count; i++)
        {
            Run(i, seeds[i].Name, seeds[i].IsSpec, Encoding.UTF8.GetBytes(seeds[i].Text));
        }

        for (var i = 0; i < Mutations; i++)
        {
            var s = seeds[i % seeds.Count];
            Run(i, s.Name, s.IsSpec, mutator.Mutate(s.Text));
        }

        var refs = modules.Known.ToList();
        for (var i = 0; i < Generated; i++)
        {
            Run(Mutations + i, "generated", false, Encoding.UTF8.GetBytes(mutator.Generate(refs)));
        }

        output.WriteLine($"contract fuzz: {total} contracts (seed {Seed}, {seeds.Count} seeds), crashes {crashes.Count}, exits {string.Join(", ", exits.Select(e => $"{e.Key}: {e.Value}"))}, max {maxMs:F0} ms and {maxAllocated / 1024 / 1024.0:F1} MiB allocated per input");
        total.ShouldBeGreaterThanOrEqualTo(10_000);
        crashes.ShouldBeEmpty(string.Join("\n", crashes.Take(20)));
        exits.Keys.ShouldAllBe(e => e == 0 || e == (int)ExitCode.InputError);
        exits.GetValueOrDefault(0).ShouldBeGreaterThan(0, "some mutations must stay valid, or the corpus tests nothing");
        maxAllocated.ShouldBeLessThan(MaxAllocatedBytesPerInput);
    }

    private static IEnumerable<(string Name, string Text, bool IsSpec)> Seeds(ContentRoot content)
    {
        foreach (var r in content.ModuleRefs())
        {
            yield return ($"{r}/spec.yml", File.ReadAllText(content.ModuleSpecPath(r)), true);
        }

        foreach (var r in content.BlueprintRefs())
        {
            yield return ($"{r}/blueprint.yml", File.ReadAllText(content.BlueprintPath(r)), false);
        }

        var fixtures = Path.Combine(RepoRoot.Path, "tests", "HybridOps.Core.Tests", "Contracts", "Upstream", "Fixtures");
        foreach (var f in Directory.EnumerateFiles(fixtures, "*.yml").Order(StringComparer.Ordinal))
        {
            yield return (Path.GetFileName(f), File.ReadAllText(f), false);
        }
    }
}
