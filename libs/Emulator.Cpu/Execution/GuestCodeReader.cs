using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Feeds Iced's decoder from guest memory with instruction-fetch access, stopping (end of input) at
/// the first byte that faults and remembering that fault, so a fetch fault becomes a #PF value.
/// With an <see cref="ICodeMemory"/>, each page is translated once and its RAM bytes copied in one
/// go, and the physical pages read are recorded (the block's invalidation keys); a page that is
/// not RAM (a ROM on the MMIO bus) is fetched byte by byte through the linear path. At most
/// <c>allowed</c> bytes are read: the byte past them (beyond the CS limit, or the end of the canonical
/// lower half) fails with #GP(0), checked before any translation as segmentation precedes paging.
/// </summary>
internal sealed class GuestCodeReader : CodeReader
{
    private const int PageSize = 4096;

    private readonly ICpuMemory _memory;
    private readonly ICodeMemory? _code;
    private readonly ulong _linearMask;
    private readonly byte[] _buffer;
    private readonly List<ulong> _pages = [];
    private int _bufferPosition;
    private int _bufferLength;
    private ulong _linear;
    private ulong _allowed;
    private bool _faulted;

    public GuestCodeReader(ICpuMemory memory, ulong linear, ulong linearMask, byte[] buffer, ulong allowed = ulong.MaxValue)
    {
        _memory = memory;
        _allowed = allowed;
        _code = memory as ICodeMemory;
        _linear = linear;
        _linearMask = linearMask;
        _buffer = buffer;
    }

    public CpuFault Fault { get; private set; }

    public bool Faulted => _faulted;

    /// <summary>The next byte's linear address.</summary>
    public ulong Position => _linear;

    /// <summary>The physical pages read so far, in order (linear pages when there is no <see cref="ICodeMemory"/>).</summary>
    public List<ulong> Pages => _pages;

    /// <summary>
    /// Whether an F0h byte was read since <see cref="BeginInstruction"/>: Iced's AMD decoding folds a LOCK prefix on
    /// MOV CRn into the register number (CR8) and does not report it, so the caller asks here.
    /// </summary>
    public bool ReadLockByte { get; private set; }

    public void BeginInstruction() => ReadLockByte = false;

    public override int ReadByte()
    {
        int value = ReadNext();
        if (value == 0xF0)
        {
            ReadLockByte = true;
        }

        return value;
    }

    private int ReadNext()
    {
        if (_faulted)
        {
            return -1;
        }

        if (_allowed == 0)
        {
            return Fail(CpuFault.GeneralProtection());
        }

        _allowed--;

        if (_bufferPosition < _bufferLength)
        {
            _linear = (_linear + 1) & _linearMask;
            return _buffer[_bufferPosition++];
        }

        if (_code is not null)
        {
            if (!_code.TryTranslateFetch(_linear, out ulong physical, out CpuFault translateFault))
            {
                return Fail(translateFault);
            }

            AddPage(physical);
            int length = (int)Math.Min((ulong)_buffer.Length, PageSize - (_linear & (PageSize - 1)));
            int copied = _code.CopyRam(physical, _buffer.AsSpan(0, length));
            if (copied > 0)
            {
                _bufferPosition = 1;
                _bufferLength = copied;
                _linear = (_linear + 1) & _linearMask;
                return _buffer[0];
            }
        }
        else
        {
            AddPage(_linear);
        }

        Span<byte> one = stackalloc byte[1];
        if (!_memory.TryRead(_linear, one, MemoryAccess.Execute, out CpuFault fault))
        {
            return Fail(fault);
        }

        _linear = (_linear + 1) & _linearMask;
        return one[0];
    }

    private int Fail(CpuFault fault)
    {
        _faulted = true;
        Fault = fault;
        return -1;
    }

    private void AddPage(ulong address)
    {
        ulong page = address & ~(ulong)(PageSize - 1);
        if (_pages.Count == 0 || _pages[^1] != page)
        {
            _pages.Add(page);
        }
    }
}
