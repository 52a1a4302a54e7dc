using Vfio.Errors;

namespace Vfio.Emulation;

/// <summary>
/// Thrown by an emulated device when <see cref="EmulatedFaults.CrashAfterBytes"/> fires: stands in for the process
/// dying mid-copy. It is deliberately not a <see cref="VfioException"/>, so no recovery code catches it, just as no
/// recovery code runs in a process that has died.
/// </summary>
public sealed class EmulatedCrashException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EmulatedCrashException()
        : this("emulated crash")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was being done when the crash was injected.</param>
    public EmulatedCrashException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EmulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
