using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>
/// One virtual processor: its <see cref="CpuState"/> in pinned, cache-line-aligned native memory
/// (so translated code can hold a raw pointer to it for as long as the vCPU lives), its model and
/// its place (index 0 is the bootstrap processor). Not thread-safe: the vCPU's own thread, or
/// whoever holds it stopped, touches the state.
/// </summary>
public sealed unsafe class Vcpu : IDisposable
{
    private CpuState* _state;

    /// <summary>A vCPU in the RESET state of <paramref name="model"/> (QEMU's qemu64 when null).</summary>
    public Vcpu(int index = 0, CpuModel? model = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Index = index;
        Model = model ?? CpuModel.Qemu64;

        // SAFETY: a fresh allocation of exactly sizeof(CpuState) bytes, owned by this object and freed
        // once in Dispose; it is cleared before anyone can read it.
        _state = (CpuState*)NativeMemory.AlignedAlloc((nuint)sizeof(CpuState), CpuStateLayout.Alignment);
        NativeMemory.Clear(_state, (nuint)sizeof(CpuState));
        Reset();
    }

    /// <summary>The processor's index (QEMU's cpu_index, the <c>CPU#n</c> of <c>info registers</c>).</summary>
    public int Index { get; }

    public CpuModel Model { get; }

    /// <summary>The bootstrap processor is the first one, as QEMU hard-wires it.</summary>
    public bool IsBootstrapProcessor => Index == 0;

    /// <summary>The architectural state, in place (no copy). Throws once disposed.</summary>
    public ref CpuState State
    {
        get
        {
            ObjectDisposedException.ThrowIf(_state is null, this);

            // SAFETY: _state is non-null, so it points at this object's live, aligned allocation.
            return ref *_state;
        }
    }

    /// <summary>The state's address, for translated code; valid until <see cref="Dispose"/>.</summary>
    public nint StateAddress
    {
        get
        {
            ObjectDisposedException.ThrowIf(_state is null, this);
            return (nint)_state;
        }
    }

    /// <summary>Power-up/RESET# state (see <see cref="CpuReset"/>).</summary>
    public void Reset() => CpuReset.Apply(ref State, Model, IsBootstrapProcessor);

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>A forgotten vCPU must not leak its native state.</summary>
    ~Vcpu() => Free();

    private void Free()
    {
        if (_state is null)
        {
            return;
        }

        // SAFETY: the pointer came from AlignedAlloc and is nulled here, so it is freed exactly once;
        // the finalizer runs only when nothing can reach this object any more.
        NativeMemory.AlignedFree(_state);
        _state = null;
    }
}
