using Emulator.Memory;

namespace Emulator.Virtio.Tests;

public sealed class NotificationTests : IDisposable
{
    private readonly GuestMemory _mem = GuestMemory.Create((0, 1 << 20));
    private readonly MockSplitQueue _driver;

    public NotificationTests() => _driver = new MockSplitQueue(_mem, 0, 8);

    public void Dispose() => _mem.Dispose();

    [Fact]
    public void Without_event_idx_the_no_interrupt_flag_decides()
    {
        SplitQueue device = _driver.CreateDeviceQueue(false);
        device.AddUsed(0, 0);
        Assert.True(device.NeedsNotification());
        Assert.False(device.NeedsNotification()); // nothing new since

        _driver.AvailFlags = RingFlags.AvailNoInterrupt;
        device.AddUsed(1, 0);
        Assert.False(device.NeedsNotification());

        _driver.AvailFlags = 0;
        _driver.UsedEvent = 100; // ignored without EVENT_IDX
        device.AddUsed(2, 0);
        Assert.True(device.NeedsNotification());
    }

    [Fact]
    public void With_event_idx_the_device_notifies_only_when_used_idx_passes_used_event()
    {
        SplitQueue device = _driver.CreateDeviceQueue(true);
        AddUsed(device, 10);
        Assert.True(device.NeedsNotification()); // no history yet: notify

        _driver.UsedEvent = 12;
        AddUsed(device, 2); // used.idx 12: entry 12 not yet written
        Assert.False(device.NeedsNotification());
        AddUsed(device, 1); // 13: entry 12 written
        Assert.True(device.NeedsNotification());
        Assert.False(device.NeedsNotification());

        _driver.UsedEvent = 13;
        _driver.AvailFlags = RingFlags.AvailNoInterrupt; // ignored with EVENT_IDX
        AddUsed(device, 3);
        Assert.True(device.NeedsNotification());

        _driver.UsedEvent = 3; // already passed long ago
        AddUsed(device, 1);
        Assert.False(device.NeedsNotification());
    }

    [Fact]
    public void Vring_need_event_holds_across_the_16_bit_wrap()
    {
        _driver.SetUsedIndex(65533);
        SplitQueue device = _driver.CreateDeviceQueue(true);
        AddUsed(device, 1); // 65534
        Assert.True(device.NeedsNotification());

        _driver.UsedEvent = 65535;
        AddUsed(device, 1); // 65535: entry 65535 not yet written
        Assert.False(device.NeedsNotification());
        AddUsed(device, 2); // wraps to 1: entry 65535 written
        Assert.True(device.NeedsNotification());

        _driver.UsedEvent = 0;
        AddUsed(device, 3); // 1 -> 4, already past 0
        Assert.False(device.NeedsNotification());

        _driver.UsedEvent = 65530; // far behind, across the wrap
        AddUsed(device, 1);
        Assert.False(device.NeedsNotification());

        _driver.UsedEvent = 5;
        AddUsed(device, 8); // 5 -> 13 covers entry 5
        Assert.True(device.NeedsNotification());
        Assert.Equal(13, _driver.UsedIndex);
    }

    [Fact]
    public void Setting_next_used_restarts_tracking()
    {
        SplitQueue device = _driver.CreateDeviceQueue(true);
        AddUsed(device, 1);
        Assert.True(device.NeedsNotification());
        device.NextUsed = 1;
        _driver.UsedEvent = 50;
        Assert.True(device.NeedsNotification());
    }

    [Fact]
    public void Without_event_idx_kicks_are_suppressed_with_used_flags()
    {
        SplitQueue device = _driver.CreateDeviceQueue(false);
        device.DisableNotification();
        Assert.Equal(RingFlags.UsedNoNotify, _driver.UsedFlags);
        device.EnableNotification();
        Assert.Equal(0, _driver.UsedFlags);
    }

    [Fact]
    public void With_event_idx_kicks_are_requested_through_avail_event_and_flags_stay_zero()
    {
        SplitQueue device = _driver.CreateDeviceQueue(true);
        _driver.AddChain([[1]], []);
        _driver.AddChain([[2]], []);
        _driver.AddChain([[3]], []);

        device.DisableNotification();
        Assert.Equal(0, _driver.UsedFlags);
        Assert.True(device.TryPop(out _));
        Assert.Equal(0, _driver.AvailEvent); // disabled: not advanced

        device.EnableNotification();
        Assert.Equal(1, _driver.AvailEvent);
        Assert.True(device.HasAvailable);
        Assert.True(device.TryPop(out _));
        Assert.Equal(2, _driver.AvailEvent); // enabled: follows NextAvail
        Assert.Equal(0, _driver.UsedFlags);
    }

    [Fact]
    public void The_enable_then_recheck_loop_drains_entries_that_arrived_while_disabled()
    {
        SplitQueue device = _driver.CreateDeviceQueue(false);
        _driver.AddChain([[1]], []);
        int handled = 0;
        do
        {
            device.DisableNotification();
            while (device.TryPop(out DescriptorChain? chain))
            {
                handled++;
                device.AddUsed(chain.HeadIndex, 0);
                if (handled == 1)
                {
                    _driver.AddChain([[2]], []); // arrives with kicks off
                }
            }

            device.EnableNotification();
        }
        while (device.HasAvailable);

        Assert.Equal(2, handled);
        Assert.True(device.NeedsNotification());
    }

    private static void AddUsed(SplitQueue device, int count)
    {
        for (int i = 0; i < count; i++)
        {
            device.AddUsed((ushort)(i % device.Size), 0);
        }
    }
}
