using HaSim.Failover;

namespace HaSim.Failover.Tests;

public class ArchitectureTests
{
    /// <summary>DESIGN.md: the controller is production code; it sees Primitives and the BCL, never Kernel or Model.</summary>
    [Fact]
    public void Controller_assembly_references_only_primitives_and_the_bcl()
    {
        var references = typeof(FailoverController).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        var foreign = references.Where(name => name != "HaSim.Primitives"
            && !name.StartsWith("System", StringComparison.Ordinal) && name is not "netstandard" and not "mscorlib").ToArray();
        Assert.Empty(foreign);
        Assert.Contains("HaSim.Primitives", references);
    }
}
