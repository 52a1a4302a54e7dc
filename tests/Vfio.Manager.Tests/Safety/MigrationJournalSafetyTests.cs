using Vfio.Errors;
using Vfio.Manager.Migration;
using Vfio.Manager.Names;
using Vfio.Tests.Safety;

namespace Vfio.Tests.Manager.Safety;

/// <summary>The migration journal is owner-only and never written through a link that leads out of the host's root.</summary>
[Collection(UmaskCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MigrationJournalSafetyTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static MigrationJournalEntry Entry() => new()
    {
        Operation = MigrationJournalEntry.Save,
        Source = "0000:00:03.0",
        Started = DateTimeOffset.UnixEpoch,
        ProcessId = 1,
    };

    [Fact]
    public void Entry_IsWritten0600_InDirectories0700_EvenUnderUmask0()
    {
        string root = _tree.PathOf("host");
        var journal = new MigrationJournal(root);
        MdevUuid uuid = MdevUuid.NewUuid();

        using (UmaskScope.Open())
        {
            journal.Write(uuid, Entry());
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, UmaskScope.ModeOf(Path.Join(journal.Directory, $"{uuid}.json")));
        foreach (string directory in new[] { "var/lib/vfio-migrate", "var/lib/vfio-migrate/journal" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, UmaskScope.ModeOf(Path.Join(root, directory)));
        }
        Assert.Equal(MigrationJournalEntry.Save, journal.Find(uuid)?.Operation);
    }

    [Fact]
    public void JournalDirectoryLinkedOutOfTheRoot_IsRefusedWithE1008_AndNothingIsWrittenThere()
    {
        string root = _tree.PathOf("host");
        string outside = _tree.PathOf("outside");
        Directory.CreateDirectory(Path.Join(root, "var/lib/vfio-migrate"));
        Directory.CreateDirectory(outside);
        File.CreateSymbolicLink(Path.Join(root, "var/lib/vfio-migrate/journal"), outside);
        var journal = new MigrationJournal(root);

        var error = Assert.Throws<VfioException>(() => journal.Write(MdevUuid.NewUuid(), Entry()));

        Assert.Equal(ErrorCode.PathInvalid, error.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }
}
