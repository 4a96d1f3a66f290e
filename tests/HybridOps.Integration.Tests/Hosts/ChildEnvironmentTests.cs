using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Hosts;

/// <summary>Every process hyops starts gets an explicit environment: the operator's PG* variables never leak into it.</summary>
public sealed class ChildEnvironmentTests
{
    private static readonly string[] OperatorVariables = ["PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGSERVICE", "PGPASSFILE", "PGDATABASE", "PGSSLMODE"];

    [Fact]
    public async Task A_child_does_not_see_the_operators_PG_variables_but_sees_what_the_spec_passes()
    {
        var saved = OperatorVariables.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in OperatorVariables)
            {
                Environment.SetEnvironmentVariable(name, "operator-" + name.ToLowerInvariant());
            }

            var result = (await new LocalProcessRunner().RunAsync(
                new ProcessSpec("env", [], Environment: new Dictionary<string, string> { ["PGAPPNAME"] = "hyops-test" }, RunAsUser: ProcessIdentity.ServiceUserOrNull()),
                CancellationToken.None)).EnsureSuccess();

            var names = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]).ToList();
            names.ShouldNotContain(n => n.StartsWith("PG", StringComparison.Ordinal) && n != "PGAPPNAME");
            result.StdOut.ShouldContain("PGAPPNAME=hyops-test");
            result.StdOut.ShouldNotContain("operator-");
            names.ShouldBeSubsetOf([.. ChildEnvironment.Inherited, "PGAPPNAME"]);
            names.ShouldContain("PATH");
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
