using Xunit.Abstractions;
using Xunit.Sdk;

namespace HybridOps.Integration.Tests.Support;

/// <summary>Runs a class's tests in their [Step(n)] order: later steps break the shared lab on purpose.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}

public sealed class StepOrderer : ITestCaseOrderer
{
    public const string Name = "HybridOps.Integration.Tests.Support.StepOrderer";
    public const string Assembly = "HybridOps.Integration.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName!).FirstOrDefault()?.GetNamedArgument<int>("Order") ?? int.MaxValue)
            .ThenBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
