using System.Text;
using Iced.Intel;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// Lays out a guest image made of code segments of different bitness (16/32/64-bit code at fixed
/// addresses), data blocks and a string pool, with named labels usable from any segment as
/// absolute addresses. Assembles twice: the first pass learns every label's address (with a
/// placeholder as wide as the real thing), the second uses them; a label that moved
/// between the passes is an error, so the addresses baked into instructions are always right.
/// </summary>
internal sealed class KernelBuilder
{
    private readonly List<(ulong Address, int Bitness, Action<KernelBuilder> Code)> _segments = [];
    private readonly List<(ulong Address, Func<KernelBuilder, byte[]> Data)> _data = [];
    private readonly Dictionary<string, ulong> _strings = [];
    private readonly MemoryStream _stringPool = new();
    private Dictionary<string, ulong> _known = [];
    private Dictionary<string, Label> _labels = [];
    private Assembler? _assembler;
    private bool _final;
    private int _unique;
    private ulong _segmentAddress;
    private readonly HashSet<string> _defined = [];

    public KernelBuilder(ulong baseAddress, ulong stringPoolAddress)
    {
        BaseAddress = baseAddress;
        StringPoolAddress = stringPoolAddress;
    }

    public ulong BaseAddress { get; }

    public ulong StringPoolAddress { get; }

    /// <summary>The assembler of the segment being assembled.</summary>
    public Assembler A => _assembler ?? throw new InvalidOperationException("no segment is being assembled");

    public void Code(ulong address, int bitness, Action<KernelBuilder> code) => _segments.Add((address, bitness, code));

    public void Data(ulong address, Func<KernelBuilder, byte[]> data) => _data.Add((address, data));

    /// <summary>The label <paramref name="name"/> of the current segment, for jumps within it.</summary>
    public Label L(string name)
    {
        if (!_labels.TryGetValue(name, out Label label))
        {
            label = A.CreateLabel(name);
            _labels[name] = label;
        }

        return label;
    }

    /// <summary>A label name no other call returns (the same sequence in both passes).</summary>
    public string Unique(string prefix) => $"{prefix}_{_unique++}";

    /// <summary>Defines <paramref name="name"/> here.</summary>
    public void Here(string name)
    {
        Label label = L(name);
        A.Label(ref label);
        _labels[name] = label; // Label is a struct: keep the copy that knows its instruction
        _defined.Add(name);
    }

    /// <summary>The absolute address of a label of any segment (a placeholder in the first pass: the current segment's address).</summary>
    public ulong Addr(string name)
    {
        if (!_final)
        {
            // The segment's own address: as wide as any real address, and within a rel32 of the code.
            return _segmentAddress;
        }

        return _known.TryGetValue(name, out ulong address) ? address : throw new InvalidOperationException($"no label '{name}'");
    }

    public uint Addr32(string name) => checked((uint)Addr(name));

    /// <summary>The address of a NUL-terminated copy of <paramref name="text"/> in the string pool.</summary>
    public uint Str(string text)
    {
        if (!_strings.TryGetValue(text, out ulong address))
        {
            address = StringPoolAddress + (ulong)_stringPool.Length;
            _stringPool.Write(Encoding.ASCII.GetBytes(text));
            _stringPool.WriteByte(0);
            _strings[text] = address;
        }

        return checked((uint)address);
    }

    /// <summary>The image from <see cref="BaseAddress"/> to the end of the last thing placed.</summary>
    public byte[] Build()
    {
        Dictionary<string, ulong> first = AssembleAll(out _);
        _known = first;
        _final = true;
        Dictionary<string, ulong> second = AssembleAll(out List<(ulong Address, byte[] Bytes)> pieces);
        foreach ((string name, ulong address) in second)
        {
            if (first[name] != address)
            {
                throw new InvalidOperationException($"label '{name}' moved between passes ({first[name]:X} -> {address:X})");
            }
        }

        foreach ((ulong address, Func<KernelBuilder, byte[]> data) in _data)
        {
            pieces.Add((address, data(this)));
        }

        pieces.Add((StringPoolAddress, _stringPool.ToArray()));
        ulong end = pieces.Max(p => p.Address + (ulong)p.Bytes.Length);
        byte[] image = new byte[end - BaseAddress];
        foreach ((ulong address, byte[] bytes) in pieces.OrderBy(p => p.Address))
        {
            bytes.CopyTo(image, (int)(address - BaseAddress));
        }

        for (int i = 0; i < pieces.Count; i++)
        {
            for (int j = i + 1; j < pieces.Count; j++)
            {
                (ulong a, byte[] x) = pieces[i];
                (ulong b, byte[] y) = pieces[j];
                if (a < b + (ulong)y.Length && b < a + (ulong)x.Length && x.Length > 0 && y.Length > 0)
                {
                    throw new InvalidOperationException($"pieces at {a:X} and {b:X} overlap");
                }
            }
        }

        return image;
    }

    private Dictionary<string, ulong> AssembleAll(out List<(ulong Address, byte[] Bytes)> pieces)
    {
        var addresses = new Dictionary<string, ulong>();
        pieces = [];
        _unique = 0;
        _strings.Clear();
        _stringPool.SetLength(0);
        foreach ((ulong address, int bitness, Action<KernelBuilder> code) in _segments)
        {
            _assembler = new Assembler(bitness);
            _segmentAddress = address;
            _labels = [];
            _defined.Clear();
            code(this);
            using var stream = new MemoryStream();
            AssemblerResult result = _assembler.Assemble(new StreamCodeWriter(stream), address, BlockEncoderOptions.ReturnNewInstructionOffsets);
            foreach ((string name, Label label) in _labels)
            {
                if (!_defined.Contains(name))
                {
                    throw new InvalidOperationException($"label '{name}' is used but never defined");
                }

                if (!addresses.TryAdd(name, result.GetLabelRIP(label)))
                {
                    throw new InvalidOperationException($"label '{name}' defined in two segments");
                }
            }

            pieces.Add((address, stream.ToArray()));
        }

        _assembler = null;
        return addresses;
    }
}
