using HybridOps.Core.Contracts;
using HybridOps.Core.Tests.Support;
using HybridOps.Modules;

namespace HybridOps.Core.Tests.Contracts;

/// <summary>Every contract shipped in the repository's modules/ and blueprints/ must load.</summary>
public sealed class RepositoryContractsTests
{
    private readonly ContentRoot content = new(RepoRoot.Path);

    [Fact]
    public void Repository_HasModulesAndBlueprints()
    {
        content.ModuleRefs().ShouldNotBeEmpty();
        content.BlueprintRefs().ShouldNotBeEmpty();
    }

    [Fact]
    public void EveryModuleSpecInTheRepository_Loads_AndHasAHandler()
    {
        var registry = ModuleCatalog.CreateRegistry();
        foreach (var moduleRef in content.ModuleRefs())
        {
            var spec = content.LoadModule(moduleRef);
            spec.ModuleRef.ShouldBe(moduleRef);
            spec.OutputsPublish.ShouldNotBeEmpty(moduleRef);
            registry.Has(moduleRef).ShouldBeTrue($"module '{moduleRef}' has a spec but no handler in ModuleCatalog");
        }
    }

    [Fact]
    public void EveryBlueprintInTheRepository_Loads_AndItsStepsModulesLoad()
    {
        foreach (var blueprintRef in content.BlueprintRefs())
        {
            var bp = content.LoadBlueprint(blueprintRef);
            bp.BlueprintRef.ShouldBe(blueprintRef);
            bp.Steps.ShouldNotBeEmpty(blueprintRef);
            foreach (var step in bp.Steps)
            {
                content.LoadModule(step.ModuleRef).Lifecycle.ShouldContain(step.Action, $"{blueprintRef} step {step.Id}");
            }
        }
    }

    [Fact]
    public void EveryContractInTheRepository_PassesStrict_WithNoWarnings_AndEveryStepsInputsMatchTheirModule()
    {
        var strict = new ContractOptions(Strict: true);
        foreach (var moduleRef in content.ModuleRefs())
        {
            content.LoadModule(moduleRef, strict).Warnings.ShouldBeEmpty(moduleRef);
        }

        foreach (var blueprintRef in content.BlueprintRefs())
        {
            var bp = content.LoadBlueprint(blueprintRef, strict);
            bp.Warnings.ShouldBeEmpty(blueprintRef);
            var check = BlueprintCheck.Run(bp, r => content.LoadModule(r, strict), null);
            check.Errors.ShouldBeEmpty(blueprintRef);
        }
    }
}
