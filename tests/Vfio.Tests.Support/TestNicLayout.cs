namespace Vfio.Tests.Support;

/// <summary>
/// The core fields a <see cref="TestNic"/> saves, chosen by its model (<see cref="TestNicModels.LayoutOf"/>). Both
/// layouts save the rings as pre-copy sections.
/// </summary>
public enum TestNicLayout
{
    /// <summary>
    /// The design's NIC (<see cref="TestNicModels.NicId"/>): rx-head, label, mac, rss (since version 3) and the optional
    /// rx-dropped counter; three 1000-byte rings ring0-ring2 unless configured otherwise, no section size estimate.
    /// </summary>
    Registers,

    /// <summary>
    /// The migration tests' NIC (<see cref="TestNicModels.MigrationId"/>): counter, mac, and an rss-key only when
    /// configured with rss=on; one ring of <see cref="TestNic.RingSize"/> bytes named "ring", whose size it estimates
    /// for pre-copy.
    /// </summary>
    Counter,
}
