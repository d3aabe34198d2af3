namespace Emulator.DeviceHost;

/// <summary>The exit status the serving thread decided, read by the host after shutdown.</summary>
internal sealed class DeviceServerOutcome
{
    private int _exitCode = DeviceServerExitCode.Success;

    public int ExitCode => Volatile.Read(ref _exitCode);

    public void Fail() => Volatile.Write(ref _exitCode, DeviceServerExitCode.Failure);
}
