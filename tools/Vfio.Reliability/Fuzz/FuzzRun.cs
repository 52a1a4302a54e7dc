namespace Vfio.Reliability.Fuzz;

/// <summary>Placeholder until the Fuzz run lands; refuses to run so nobody mistakes it for a result.</summary>
internal static class FuzzRun
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("vfio-reliability: the Fuzz run is not built yet");
        return 70;
    }
}
