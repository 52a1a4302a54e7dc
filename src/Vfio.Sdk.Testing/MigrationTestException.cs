namespace Vfio.Sdk.Testing;

/// <summary>A migration the test kit ran did not prove what it had to; the message names every failed case.</summary>
public sealed class MigrationTestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MigrationTestException()
        : this("a migration test failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the case.</param>
    public MigrationTestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the case.</param>
    /// <param name="innerException">The failure behind it.</param>
    public MigrationTestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Every case that ran, the failed ones included; null when the failure is outside <see cref="MigrationTestKit.Prove{TDevice}"/>.</summary>
    public MigrationProof? Proof { get; init; }
}
