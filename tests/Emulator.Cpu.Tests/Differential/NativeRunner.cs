using Emulator.Posix;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Runs snippets on the host CPU in an executable buffer (W^X: the snippet page is writable only while it is
/// filled). A snippet that faults kills the test process, so the generator emits only forms that cannot fault
/// with its operands: memory only at [R15+disp] inside the scratch buffer (or, for stack cases, through an RSP the
/// snippet points into it), no privileged instructions, division only with a divisor and dividend that cannot raise #DE.
/// The scratch buffer is the last page of <see cref="DataPages"/> pages, so a stack pointed into it has room below
/// for the frame of a signal the kernel might deliver meanwhile (it never reaches the compared bytes unless the
/// snippet's RSP sits within 128 + frame bytes of them, which no generator leaves it for longer than an instruction).
/// </summary>
public sealed unsafe class NativeRunner : ISnippetRunner, IDisposable
{
    private const ulong PageSize = 4096;
    private const byte Ret = 0xC3;

    /// <summary>Pages of the data mapping; the scratch buffer starts the last one.</summary>
    public const int DataPages = 16;

    private readonly MemoryMapping _code;
    private readonly MemoryMapping _data;

    public NativeRunner()
    {
        _code = MemoryMapping.MapAnonymous(2 * PageSize, Protection.ReadWrite);
        _data = MemoryMapping.MapAnonymous(DataPages * PageSize, Protection.ReadWrite);

        // Fault every data page in now: a snippet must not take its first page fault mid-instruction (an ENTER
        // whose new stack top lands in an untouched page was seen to leave a frame shifted by the RBP-RSP distance
        // on this host's first run, then never again).
        _data.GetSpan(0, (int)(DataPages * PageSize)).Clear();
        byte[] trampoline = NativeTrampoline.Build();
        trampoline.CopyTo(_code.GetSpan(0, (int)PageSize));
        _code.Protect(0, PageSize, Protection.Read | Protection.Exec);
    }

    /// <summary>The host address of the scratch buffer, which the snippet sees in <see cref="DifferentialCase.MemoryBase"/>.</summary>
    public ulong ScratchAddress => (ulong)_data.Pointer + ScratchOffset;

    /// <summary>The host address of the data mapping (the scratch buffer and the stack room below it).</summary>
    public ulong DataAddress => (ulong)_data.Pointer;

    /// <summary>The host address snippets run at (and so the base of their return addresses and RIP-relative targets).</summary>
    public ulong SnippetAddress => (ulong)_code.Pointer + PageSize;

    private const ulong ScratchOffset = (DataPages - 1) * PageSize;

    public ExecutionResult Run(DifferentialCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        if (testCase.Code.Length + 1 > (int)PageSize)
        {
            throw new ArgumentException($"snippet of {testCase.Code.Length} bytes does not fit a page", nameof(testCase));
        }

        _code.Protect(PageSize, PageSize, Protection.ReadWrite);
        Span<byte> page = _code.GetSpan(PageSize, (int)PageSize);
        testCase.Code.CopyTo(page);
        page[testCase.Code.Length] = Ret;
        _code.Protect(PageSize, PageSize, Protection.Read | Protection.Exec);

        Span<byte> scratch = _data.GetSpan(ScratchOffset, DifferentialCase.MemorySize);
        testCase.Memory.CopyTo(scratch);

        RegisterSnapshot input = testCase.Input.Clone();
        input[DifferentialCase.MemoryBase] = ScratchAddress;
        Span<ulong> inBlock = stackalloc ulong[RegisterSnapshot.BlockWords];
        Span<ulong> outBlock = stackalloc ulong[RegisterSnapshot.BlockWords];
        input.WriteBlock(inBlock);

        fixed (ulong* inPointer = inBlock)
        fixed (ulong* outPointer = outBlock)
        {
            // SAFETY: page 0 holds the trampoline built above (read+exec); page 1 holds the snippet followed by RET.
            // The trampoline reads BlockWords qwords from inPointer and writes BlockWords to outPointer, both pinned
            // stack buffers of that size; the snippet touches only registers and [R15+disp] inside the scratch mapping
            // (the generator's contract), and the trampoline restores every callee-saved register and RSP.
            var entry = (delegate* unmanaged<ulong*, ulong*, byte*, void>)_code.Pointer;
            entry(inPointer, outPointer, _code.Pointer + PageSize);
        }

        RegisterSnapshot output = RegisterSnapshot.ReadBlock(outBlock);
        output.Rflags = (output.Rflags & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1;
        output[GeneralRegister.Rsp] = testCase.Input[GeneralRegister.Rsp];
        output[DifferentialCase.MemoryBase] = testCase.Input[DifferentialCase.MemoryBase];
        return new ExecutionResult(output, scratch.ToArray());
    }

    public void Dispose()
    {
        _code.Dispose();
        _data.Dispose();
    }
}
