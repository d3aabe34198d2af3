namespace Emulator.Bench;

/// <summary>Which of a fio job's figures the block bench reports.</summary>
public enum BlockGuestMetric
{
    ReadMBps,
    WriteMBps,
    ReadIops,
}
