using Fledge.Core.Manifests;

namespace Fledge.Core.Tests.Manifests;

public sealed class ManifestLoaderTests
{
    [Fact]
    public void Load_FledgeRollout_ReadsRolloutResource()
    {
        var result = ManifestLoader.Load(Samples.Read("hello-v1.yaml"), "hello-v1.yaml");
        result.Errors.ShouldBeEmpty();
        var obj = result.Objects.ShouldHaveSingleItem();
        obj.Resource.GetType().ShouldBe(typeof(RolloutResource));
    }
}
