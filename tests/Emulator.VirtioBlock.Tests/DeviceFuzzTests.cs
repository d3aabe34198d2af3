using Emulator.Tests.Shared;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// Random requests through the whole device (real vhost-user session, real rings): types, sectors near
/// the edges, buffer counts and sizes, data in either direction, sometimes no status byte. Checked
/// against a shadow disk: every accepted write lands exactly there, every accepted read returns it, a
/// rejected request changes nothing, the image is never asked for anything outside the disk, and the
/// ring keeps going. Seeded, so a failure reproduces.
/// </summary>
public sealed class DeviceFuzzTests
{
    private const int DiskSectors = 256;
    private static readonly int Iterations = FuzzBudget.Iterations(3_000);
    private static readonly uint[] Types = [0, 1, 2, 4, 8, 11, 13, 99];

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_requests_keep_the_disk_equal_to_a_shadow_copy()
    {
        var image = new MemoryBlockImage(DiskSectors * 512);
        using BlockSession s = new BlockSession(image, new BlockDeviceSettings { DiscardUnmap = false }).Start();
        BlockDriver d = s.Drivers[0];
        byte[] shadow = new byte[DiskSectors * 512];
        var rng = new Random(2026);
        int ok = 0;

        for (int i = 0; i < Iterations; i++)
        {
            uint type = Types[rng.Next(Types.Length)];
            ulong sector = rng.Next(6) switch
            {
                0 => ulong.MaxValue - (ulong)rng.Next(8),
                1 => (ulong)(DiskSectors - rng.Next(0, 4)),
                _ => (ulong)rng.Next(DiskSectors),
            };
            List<byte[]> readable = [Requests.Header(type, sector)];
            List<uint> writable = [];
            bool dataOut = rng.Next(2) == 0;
            for (int b = rng.Next(0, 4); b > 0; b--)
            {
                uint length = rng.Next(5) == 0 ? (uint)rng.Next(1, 700) : 512u * (uint)rng.Next(1, 5);
                if (type is 11 or 13 && dataOut)
                {
                    readable.Add(Requests.Segments(((ulong)rng.Next(-2, DiskSectors + 2), (uint)rng.Next(0, 9), (uint)rng.Next(3))));
                }
                else if (dataOut)
                {
                    readable.Add(Requests.Pattern((int)length, rng.Next()));
                }
                else
                {
                    writable.Add(length);
                }
            }

            if (rng.Next(10) != 0)
            {
                writable.Add(1);
            }

            // Without a 1-byte status buffer the last byte of the last writable buffer is the status, if there is one.
            bool withStatus = writable.Count > 0;

            MockChain chain = d.Queue.AddChain([.. readable], [.. writable]);
            uint used = d.Complete(chain);
            if (!withStatus)
            {
                Assert.Equal(0u, used);
                continue;
            }

            var status = d.StatusOf(chain);
            Assert.True(Enum.IsDefined(status), $"iteration {i}: status byte {status}");
            if (status != VirtioBlkStatus.Ok)
            {
                continue;
            }

            ok++;
            byte[] data = [.. readable.Skip(1).SelectMany(b => b)];
            switch (type)
            {
                case 1:
                    data.CopyTo(shadow, (int)sector * 512);
                    break;
                case 13:
                    for (int seg = 0; seg + 16 <= data.Length; seg += 16)
                    {
                        int first = (int)BitConverter.ToUInt64(data, seg);
                        int count = (int)BitConverter.ToUInt32(data, seg + 8);
                        shadow.AsSpan(first * 512, count * 512).Clear();
                    }

                    break;
                case 0:
                    uint total = (uint)writable.Sum(w => w) - 1;
                    Assert.Equal(total + 1, used);
                    Assert.Equal(shadow.AsSpan((int)sector * 512, (int)total).ToArray(), d.Queue.ReadWritten(chain, total));
                    break;
            }
        }

        Assert.Equal(0, image.OutOfRangeCalls);
        Assert.Equal(shadow, image.Snapshot());
        Assert.True(ok > Iterations / 10, $"only {ok} of {Iterations} requests succeeded: the generator hardly tests acceptance");
        Assert.Equal(VirtioBlkStatus.Ok, d.Flush());
    }
}
