// Dispatches to a benchmark by its first argument: dotnet run -c Release --project tools/Vfio.Benchmarks -- <name>
// Each benchmark is a class with a static Run(string[] args) returning an exit code; add yours to the table.
using Vfio.Benchmarks.Fleet;

var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["envelope"] = Vfio.Benchmarks.EnvelopeBenchmark.Run,
    ["find"] = FindBenchmark.Run,
    ["etcd-find"] = EtcdFindBenchmark.Run,
    ["stream"] = Vfio.Benchmarks.StreamBenchmark.Run,
    ["transport"] = Vfio.Benchmarks.TransportBenchmark.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out Func<string[], int>? run))
{
    Console.Error.WriteLine($"usage: Vfio.Benchmarks <{string.Join('|', benchmarks.Keys.Order(StringComparer.Ordinal))}> [options]");
    return 2;
}
return run(args[1..]);
