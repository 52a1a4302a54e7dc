using System.Reflection;
using Vfio.Tests.Shared;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Vfio.Tests.Vfioctl;

/// <summary>Issue 21: a test skipped because the machine is not prepared says why at dotnet test's default verbosity.</summary>
public sealed class ExplainedSkipTests
{
    // Internal, so xunit does not discover it as a test class of its own (which the analyzer's xUnit1000 warns of).
#pragma warning disable xUnit1000
    internal sealed class Sample
    {
        [Fact(Skip = "needs mdevctl")]
        public void Skipped()
        {
        }

        [Fact]
        public void Runs()
        {
        }
    }
#pragma warning restore xUnit1000

    private static ExplainedSkipTestCase CaseOf(string method)
    {
        var assembly = new Xunit.Sdk.TestAssembly(Reflector.Wrap(typeof(Sample).Assembly));
        var collection = new TestCollection(assembly, null, "sample");
        var testClass = new TestClass(collection, Reflector.Wrap(typeof(Sample)));
        var testMethod = new TestMethod(testClass, Reflector.Wrap(typeof(Sample).GetMethod(method)!));
        return new ExplainedSkipTestCase(new NullMessageSink(), TestMethodDisplay.Method, TestMethodDisplayOptions.None, testMethod);
    }

    [Fact]
    public void A_skipped_test_case_names_its_reason_and_one_that_runs_keeps_its_name()
    {
        Assert.Equal("Skipped (skipped: needs mdevctl)", CaseOf(nameof(Sample.Skipped)).DisplayName);
        Assert.Equal("Runs", CaseOf(nameof(Sample.Runs)).DisplayName);
    }

    [Theory]
    [InlineData(typeof(Safety.RootOnlyFactAttribute))]
    [InlineData(typeof(EtcdFactAttribute))]
    public void The_attributes_that_skip_on_an_unprepared_machine_use_the_explaining_discoverer(Type attribute)
    {
        CustomAttributeData discoverer = Assert.Single(attribute.GetCustomAttributesData(), a => a.AttributeType == typeof(XunitTestCaseDiscovererAttribute));

        Assert.Equal(ExplainedSkipFactDiscoverer.TypeName, discoverer.ConstructorArguments[0].Value);
        Assert.Equal(typeof(ExplainedSkipTests).Assembly.GetName().Name, discoverer.ConstructorArguments[1].Value);
    }

    private sealed class NullMessageSink : LongLivedMarshalByRefObject, IMessageSink
    {
        public bool OnMessage(IMessageSinkMessage message) => true;
    }
}
