namespace Emulator.Cpu;

/// <summary>How a page walk ended.</summary>
public enum TranslationStatus
{
    Ok,

    /// <summary>#PF: the result's error code and fault address (CR2) are exact.</summary>
    PageFault,

    /// <summary>
    /// 4-level paging and the address is not canonical: no walk happened. The caller raises #SS
    /// for stack-segment references and #GP(0) otherwise, which the walker cannot know.
    /// </summary>
    NonCanonical,
}
