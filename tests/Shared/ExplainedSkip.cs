using Xunit.Abstractions;
using Xunit.Sdk;

namespace Vfio.Tests.Shared;

// Issue 21: at dotnet test's default verbosity a skipped test is one line, "Skipped <name>", and its reason is not
// printed. The attributes that skip where the machine is not prepared (no mdevctl, no Linux 6.12 header, no etcd, no
// kernel lab, not root) name these discoverers, whose test cases carry the reason in their display name:
// "Skipped Vfio...Test (skipped: needs /dev/vfio/vfio ...)". A test that runs keeps its plain name.

/// <summary>A fact discoverer whose skipped test cases name their reason (see the file's comment).</summary>
public sealed class ExplainedSkipFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public const string TypeName = "Vfio.Tests.Shared.ExplainedSkipFactDiscoverer";

    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new ExplainedSkipTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
}

/// <summary>A theory discoverer whose skipped theories name their reason (see the file's comment).</summary>
public sealed class ExplainedSkipTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public const string TypeName = "Vfio.Tests.Shared.ExplainedSkipTheoryDiscoverer";

    protected override IEnumerable<IXunitTestCase> CreateTestCasesForSkip(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, string skipReason) =>
        [new ExplainedSkipTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

/// <summary>An xunit test case whose display name ends with its skip reason when it has one.</summary>
public sealed class ExplainedSkipTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ExplainedSkipTestCase()
    {
    }

    public ExplainedSkipTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override void Initialize()
    {
        base.Initialize();
        if (!string.IsNullOrEmpty(SkipReason))
        {
            DisplayName = $"{DisplayName} (skipped: {SkipReason})";
        }
    }
}
