namespace Emulator.Block.Tests;

/// <summary>
/// Tests that close an image and open it again at once while also starting qemu-img: a child another
/// test forks at that moment holds the closed image's file description (and so its OFD locks) until
/// its exec. Run alone, they neither meet such a child nor fork one under another test's reopen.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ImageReopeningCollection
{
    public const string Name = "ImageReopening";
}
