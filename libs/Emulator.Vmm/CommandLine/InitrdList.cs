namespace Emulator.Vmm.CommandLine;

/// <summary>QEMU's multiboot <c>-initrd "file args,file2"</c>: items split at commas, where ",," stands for a literal comma. Pure.</summary>
public static class InitrdList
{
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<string> items = [];
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != ',')
            {
                current.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else
            {
                items.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0 || items.Count > 0)
        {
            items.Add(current.ToString());
        }

        return items.Where(item => item.Length > 0).ToList();
    }
}
