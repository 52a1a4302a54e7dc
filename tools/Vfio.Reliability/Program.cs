// The reliability runs by their first argument: dotnet run -c Release --project tools/Vfio.Reliability -- <run> [options]
// Each run is a class with a static Run(string[] args) returning an exit code (0: no failure found).
using Vfio.Reliability.Attacks;
using Vfio.Reliability.Concurrency;
using Vfio.Reliability.Faults;
using Vfio.Reliability.Fuzz;
using Vfio.Reliability.MigrationSafety;

var runs = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["fuzz"] = FuzzRun.Run,
    ["faults"] = FaultMatrixRun.Run,
    ["concurrency"] = ConcurrencyRun.Run,
    ["attacks"] = AttackRun.Run,
    ["migration-safety"] = MigrationSafetyRun.Run,
};

if (args.Length == 0 || !runs.TryGetValue(args[0], out Func<string[], int>? run))
{
    Console.Error.WriteLine($"usage: vfio-reliability <{string.Join('|', runs.Keys.Order(StringComparer.Ordinal))}> [options]");
    return 64;
}
return run(args[1..]);
