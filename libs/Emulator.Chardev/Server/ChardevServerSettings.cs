using System.Globalization;
using Emulator.Options;

namespace Emulator.Chardev;

/// <summary>
/// What an <c>emu-chardev</c> process serves: one chardev (a <c>-chardev</c> string, see
/// <see cref="ChardevSpecFormatter"/>) and how many front-ends the CPU process will attach to it.
/// </summary>
public sealed record ChardevServerSettings(ChardevSpec Spec, int FrontEndCount)
{
    /// <summary>
    /// Parses <c>--chardev</c> and <c>--frontends</c> (default 1). Throws <see cref="OptionsException"/>
    /// with a message for the user.
    /// </summary>
    public static ChardevServerSettings Parse(string chardev, string? frontEnds)
    {
        ChardevSpec spec;
        try
        {
            spec = ChardevParser.ParseChardev(chardev);
        }
        catch (OptionsException e)
        {
            throw new OptionsException($"--chardev {chardev}: {e.Message}");
        }

        int count = 1;
        if (frontEnds is not null
            && (!int.TryParse(frontEnds, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > ByteStreamProtocol.MaxStreams))
        {
            throw new OptionsException($"--frontends {frontEnds}: expected 1..{ByteStreamProtocol.MaxStreams}");
        }

        if (count > 1 && !spec.Mux)
        {
            throw new OptionsException($"--frontends {count}: chardev '{spec.Id}' needs mux=on for more than one front-end");
        }

        return new ChardevServerSettings(spec, count);
    }
}
