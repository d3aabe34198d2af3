using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>GET/SET_CONFIG payload: <c>{u32 offset; u32 size; u32 flags; u8 payload[size]}</c>.</summary>
public sealed class ConfigPayload
{
    public const int HeaderLength = 12;

    /// <summary>VHOST_SET_CONFIG_TYPE_FRONTEND: a driver write to a writable field.</summary>
    public const uint FlagWritable = 0;

    /// <summary>VHOST_SET_CONFIG_TYPE_MIGRATION: live migration may also restore read-only fields.</summary>
    public const uint FlagMigration = 1;

    public ConfigPayload(uint offset, uint flags, byte[] data)
    {
        if (data.Length > VhostUserLimits.MaxConfigSize)
        {
            throw new VhostUserProtocolException($"config access of {data.Length} bytes exceeds {VhostUserLimits.MaxConfigSize}");
        }

        Offset = offset;
        Flags = flags;
        Data = data;
    }

    public uint Offset { get; }

    public uint Flags { get; }

    public byte[] Data { get; }

    public uint Size => (uint)Data.Length;

    public static ConfigPayload Parse(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderLength)
        {
            throw new VhostUserProtocolException($"config payload of {source.Length} bytes has no header");
        }

        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(source);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(source[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        if (size > VhostUserLimits.MaxConfigSize)
        {
            throw new VhostUserProtocolException($"config access of {size} bytes exceeds {VhostUserLimits.MaxConfigSize}");
        }

        PayloadReader.RequireLength(source.Length, HeaderLength + (int)size, "config");
        return new ConfigPayload(offset, flags, source[HeaderLength..].ToArray());
    }

    public byte[] ToArray()
    {
        byte[] bytes = new byte[HeaderLength + Data.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Size);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Flags);
        Data.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }
}
