using Vfio.Samples.OperatorService;

string root = Directory.CreateTempSubdirectory("operator-service-").FullName;
try
{
    DemoResult result = await Demo.RunAsync(root, Console.Out).ConfigureAwait(false);
    return result.Report.Moved ? 0 : 1;
}
finally
{
    Directory.Delete(root, recursive: true);
}
