using System.ComponentModel.DataAnnotations;

namespace Vfio.Manager.Options;

/// <summary>
/// Where the manager finds the host and how long it waits, bound from configuration (section <c>Mdev</c>) and
/// validated when the service provider starts (<see cref="MdevManagerServiceCollectionExtensions.AddMdevManager(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{MdevManagerOptions})"/>),
/// or checked when registered as a ready instance (<see cref="MdevManagerServiceCollectionExtensions.AddMdevManager(Microsoft.Extensions.DependencyInjection.IServiceCollection, MdevManagerOptions)"/>).
/// </summary>
public sealed class MdevManagerOptions
{
    /// <summary>The directory that holds <c>sys/</c>.</summary>
    /// <value><c>/</c> on a real host; the emulated host's directory when <see cref="Emulated"/> is set.</value>
    [Required]
    public string SysfsRoot { get; set; } = "/";

    /// <summary>The persistent definitions directory, in mdevctl's layout (<c>&lt;root&gt;/&lt;parent&gt;/&lt;uuid&gt;</c>).</summary>
    /// <value>mdevctl's own <c>/etc/mdevctl.d</c> by default, so both tools see the same definitions.</value>
    [Required]
    public string ConfigRoot { get; set; } = "/etc/mdevctl.d";

    /// <summary>The directory holding <c>vfio/</c> device nodes.</summary>
    /// <value><c>/dev</c> by default.</value>
    [Required]
    public string DevRoot { get; set; } = "/dev";

    /// <summary>Where drivers' manifests live (<c>&lt;dir&gt;/&lt;driver&gt;/&lt;type&gt;.json</c>), for types whose sysfs directory
    /// cannot carry <c>migration_info.json</c> (Linux 6.1+ fixes a type's attribute list).</summary>
    /// <value><c>/usr/share/vfio-migrate/manifests</c> by default.</value>
    [Required]
    public string ManifestDir { get; set; } = "/usr/share/vfio-migrate/manifests";

    /// <summary>Whether <see cref="SysfsRoot"/> is an emulated host, whose <c>create</c> and <c>remove</c> the manager itself performs.</summary>
    /// <value>False by default. An emulated root may not be <c>/</c>.</value>
    public bool Emulated { get; set; }

    /// <summary>How long a change waits for the emulated host lock or a device lock held by another process.</summary>
    /// <value>10 seconds by default; more than zero and at most 10 minutes.</value>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one device state change may take before the orchestrator gives up and rolls back.</summary>
    /// <value>30 seconds by default; between 1 second and 10 minutes.</value>
    /// <remarks>The time ranges are checked by the cross-field validator: <c>[Range(typeof(TimeSpan), …)]</c> converts its bounds
    /// through a TypeConverter at run time, which is not trim- or AOT-safe.</remarks>
    public TimeSpan StateChangeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
