namespace Emulator.VhostUser;

/// <summary>What <see cref="VhostUserFrontend.Negotiate"/> settled on: acked virtio features (with bit 30 if used) and protocol features.</summary>
public readonly record struct NegotiatedFeatures(ulong Features, VhostUserProtocolFeatures ProtocolFeatures);
