namespace Emulator.Bench;

/// <summary>
/// One marker line from the guest console: <see cref="Name"/> is empty for Ready and Exit;
/// <see cref="Seconds"/> is set only for Time; <see cref="Text"/> holds a Fail or Exit status or an Output's text.
/// </summary>
public sealed record ConsoleEvent(ConsoleEventKind Kind, string Name, double Seconds, string Text);
