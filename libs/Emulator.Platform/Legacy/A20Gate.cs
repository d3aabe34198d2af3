namespace Emulator.Platform;

/// <summary>
/// The A20 line as the chipset forms it: the keyboard controller's output-port bit OR port 0x92's
/// fast-A20 bit. <see cref="Enabled"/> starts true (both QEMU and a booted BIOS leave A20 on); each
/// change is passed to the action the machine gives (which applies it to the CPU's address wrap).
/// </summary>
public sealed class A20Gate(Action<bool> apply)
{
    private bool _keyboardController = true;
    private bool _port92;

    public bool Enabled => _keyboardController || _port92;

    public void SetFromKeyboardController(bool enabled) => Change(() => _keyboardController = enabled);

    public void SetFromPort92(bool enabled) => Change(() => _port92 = enabled);

    private void Change(Action set)
    {
        bool before = Enabled;
        set();
        if (Enabled != before)
        {
            apply(Enabled);
        }
    }
}
