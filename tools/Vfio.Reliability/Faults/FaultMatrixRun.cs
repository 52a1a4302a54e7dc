namespace Vfio.Reliability.Faults;

/// <summary>Placeholder until the Faults run lands; refuses to run so nobody mistakes it for a result.</summary>
internal static class FaultMatrixRun
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("vfio-reliability: the Faults run is not built yet");
        return 70;
    }
}
