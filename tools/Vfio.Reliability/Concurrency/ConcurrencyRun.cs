namespace Vfio.Reliability.Concurrency;

/// <summary>Placeholder until the Concurrency run lands; refuses to run so nobody mistakes it for a result.</summary>
internal static class ConcurrencyRun
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("vfio-reliability: the Concurrency run is not built yet");
        return 70;
    }
}
