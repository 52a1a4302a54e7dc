namespace Vfio.Samples.Nic;

/// <summary>
/// SplitMix64: a tiny deterministic generator for the simulated traffic (not for anything secret), so the same seed
/// yields the same device state in every process and on every runtime.
/// </summary>
internal struct SampleRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.
    public static ulong Hash(string text)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in text)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }
        return h;
    }
}
