namespace Emulator.Platform;

/// <summary>A memory BAR holding an MSI-X table and its PBA; bytes outside both read zero and ignore writes.</summary>
public sealed class MsixBar(MsixTable table, ulong tableOffset, ulong pbaOffset) : IMmioDevice
{
    public void Read(ulong offset, Span<byte> destination)
    {
        destination.Clear();
        for (int i = 0; i < destination.Length; i++)
        {
            ulong at = offset + (ulong)i;
            if (at >= tableOffset && at - tableOffset < (ulong)table.TableBytes)
            {
                table.ReadTable(at - tableOffset, destination.Slice(i, 1));
            }
            else if (at >= pbaOffset && at - pbaOffset < (ulong)table.PbaBytes)
            {
                table.ReadPba(at - pbaOffset, destination.Slice(i, 1));
            }
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        // The PBA is read-only; a table write is applied whole so an unmask is seen once.
        if (offset >= tableOffset && offset - tableOffset < (ulong)table.TableBytes)
        {
            table.WriteTable(offset - tableOffset, source);
        }
    }
}
