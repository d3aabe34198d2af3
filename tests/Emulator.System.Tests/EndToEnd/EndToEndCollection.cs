namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// The end-to-end tests start real .NET processes; run one at a time so two cores are not
/// oversubscribed and each test's waits stay short.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "EndToEnd";
}
