using System.Globalization;

namespace Vfio.Reliability.Concurrency;

/// <summary>The command line of <c>vfio-reliability concurrency</c>, with the hidden modes its child processes run in.</summary>
internal sealed record ConcurrencyOptions
{
    /// <summary>The run's directory: <c>host/</c> (the emulated host) and <c>logs/</c>; a new temporary one when not given.</summary>
    public string? Root { get; init; }

    public int Processes { get; init; } = 16;

    /// <summary>Operations per process.</summary>
    public int Operations { get; init; } = 200;

    public int Seed { get; init; } = 42;

    /// <summary>The share of operations that go through a vfioctl child process instead of the library.</summary>
    public int CliPercent { get; init; } = 10;

    /// <summary>How long the workers may take together before the run kills them and reports a hang.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Hidden: run as worker number n.</summary>
    public int? Worker { get; init; }

    /// <summary>Hidden: run as the verifier over <see cref="Root"/>.</summary>
    public bool Verify { get; init; }

    public const string Usage =
        "usage: vfio-reliability concurrency [--root DIR] [--processes N] [--operations N] [--seed N] [--cli-percent P] [--timeout SECONDS]";

    /// <exception cref="FormatException">An unknown option or a bad value; the message says which.</exception>
    public static ConcurrencyOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ConcurrencyOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name == "--verify")
            {
                options = options with { Verify = true };
                continue;
            }
            if (i + 1 >= args.Count)
            {
                throw new FormatException($"{name} needs a value.");
            }
            string value = args[++i];
            options = name switch
            {
                "--root" => options with { Root = Path.GetFullPath(value) },
                "--processes" => options with { Processes = Number(name, value, 1, 256) },
                "--operations" => options with { Operations = Number(name, value, 1, 1_000_000) },
                "--seed" => options with { Seed = Number(name, value, 0, int.MaxValue) },
                "--cli-percent" => options with { CliPercent = Number(name, value, 0, 100) },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(Number(name, value, 1, 86_400)) },
                "--worker" => options with { Worker = Number(name, value, 0, 255) },
                _ => throw new FormatException($"unknown option {name}."),
            };
        }
        if ((options.Worker is not null || options.Verify) && options.Root is null)
        {
            throw new FormatException("--worker and --verify need --root.");
        }
        return options;
    }

    /// <summary>The arguments a child process gets: these options plus its mode.</summary>
    public IEnumerable<string> ChildArguments(string mode, int? worker = null)
    {
        yield return "concurrency";
        yield return "--root";
        yield return Root!;
        if (worker is int n)
        {
            yield return "--worker";
            yield return n.ToString(CultureInfo.InvariantCulture);
            yield return "--operations";
            yield return Operations.ToString(CultureInfo.InvariantCulture);
            yield return "--seed";
            yield return Seed.ToString(CultureInfo.InvariantCulture);
            yield return "--cli-percent";
            yield return CliPercent.ToString(CultureInfo.InvariantCulture);
        }
        if (mode == "verify")
        {
            yield return "--verify";
        }
    }

    public string HostRoot => Path.Join(Root, "host");

    public string LogDirectory => Path.Join(Root, "logs");

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{name} '{value}' is not a whole number from {min} to {max}.");
}
