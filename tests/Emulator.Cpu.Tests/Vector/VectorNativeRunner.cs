using Emulator.Posix;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>
/// Runs a vector snippet on the host (W^X code page, rewritten only when the bytes change). The caller keeps
/// every MXCSR exception masked and every memory operand inside the 16-byte-aligned scratch page, so nothing faults.
/// </summary>
public sealed unsafe class VectorNativeRunner : IDisposable
{
    private const ulong PageSize = 4096;
    private const byte Ret = 0xC3;

    private readonly MemoryMapping _code;
    private readonly MemoryMapping _data;
    private byte[] _loaded = [];

    public VectorNativeRunner()
    {
        _code = MemoryMapping.MapAnonymous(2 * PageSize, Protection.ReadWrite);
        _data = MemoryMapping.MapAnonymous(PageSize, Protection.ReadWrite);
        VectorTrampoline.Build().CopyTo(_code.GetSpan(0, (int)PageSize));
        _code.Protect(0, PageSize, Protection.Read | Protection.Exec);
    }

    public VectorResult Run(VectorCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        if (!testCase.Code.AsSpan().SequenceEqual(_loaded))
        {
            _code.Protect(PageSize, PageSize, Protection.ReadWrite);
            Span<byte> page = _code.GetSpan(PageSize, (int)PageSize);
            testCase.Code.CopyTo(page);
            page[testCase.Code.Length] = Ret;
            _code.Protect(PageSize, PageSize, Protection.Read | Protection.Exec);
            _loaded = testCase.Code;
        }

        Span<byte> scratch = _data.GetSpan(0, VectorCase.MemorySize);
        testCase.Memory.CopyTo(scratch);
        VectorState input = testCase.Input.Clone();
        ulong scratchAddress = (ulong)_data.Pointer;
        input.Gpr(VectorCase.MemoryBase) = scratchAddress;
        input.Gpr((int)GeneralRegister.Rdi) = scratchAddress + VectorCase.MaskedStoreOffset;
        var output = new VectorState();
        fixed (ulong* inPointer = input.Words)
        fixed (ulong* outPointer = output.Words)
        {
            // SAFETY: page 0 is the trampoline (read+exec), page 1 the snippet plus RET. The trampoline reads and writes
            // BlockWords qwords through the two pinned arrays of that length, restores callee-saved registers, RSP and
            // MXCSR; the snippet touches registers and only the scratch page (the generator's contract).
            var entry = (delegate* unmanaged<ulong*, ulong*, byte*, void>)_code.Pointer;
            entry(inPointer, outPointer, _code.Pointer + PageSize);
        }

        output.Gpr(VectorCase.MemoryBase) = testCase.Input.Gpr(VectorCase.MemoryBase);
        output.Gpr((int)GeneralRegister.Rdi) = testCase.Input.Gpr((int)GeneralRegister.Rdi);
        output.Gpr((int)GeneralRegister.Rsp) = testCase.Input.Gpr((int)GeneralRegister.Rsp);
        return new VectorResult(output, scratch.ToArray());
    }

    public void Dispose()
    {
        _code.Dispose();
        _data.Dispose();
    }
}
