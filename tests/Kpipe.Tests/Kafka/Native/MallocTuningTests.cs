using Kpipe.Kafka.Native;

namespace Kpipe.Tests.Kafka.Native;

public sealed class MallocTuningTests
{
    [Fact]
    public void Applies_the_thresholds_on_linux_glibc_when_the_user_set_none()
    {
        // kpipe's supported platform is Linux on glibc (Debian 12 here): mallopt must take both values.
        Assert.True(OperatingSystem.IsLinux(), "this test runs where kpipe runs: Linux with glibc");
        Assert.True(MallocTuning.Apply(_ => null));
    }

    [Theory]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1048576")]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "131072")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "131072")]
    public void Leaves_the_allocator_alone_when_the_user_chose_its_settings(string variable, string value)
    {
        Assert.False(MallocTuning.Apply(name => name == variable ? value : null));
    }
}
