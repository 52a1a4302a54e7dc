namespace Vfio.Reliability;

/// <summary>
/// The sample device plug-in the vfioctl project reference places in <c>plugins/samples/</c> beside this tool (as
/// beside vfioctl.dll): the hosts whose devices a vfioctl child process opens name it in their configuration.
/// </summary>
internal static class SamplePlugins
{
    public static string Path => System.IO.Path.Join(AppContext.BaseDirectory, "plugins", "samples", "Samples.Catalog.dll");
}
