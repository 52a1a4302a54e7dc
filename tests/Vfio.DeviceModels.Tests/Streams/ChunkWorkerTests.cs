using Vfio.DeviceModels.Streams;

namespace Vfio.Tests.DeviceModels.Streams;

/// <summary>A channel's chunk jobs run one after another on one long-lived thread, and its failures reach the caller.</summary>
public sealed class ChunkWorkerTests
{
    [Fact]
    public async Task Every_job_of_a_busy_channel_runs_on_the_same_thread_in_order()
    {
        var worker = new ChunkWorker("test", TimeSpan.FromMinutes(1));
        var threads = new List<int>();
        for (int i = 0; i < 100; i++)
        {
            int n = i;
            Assert.Equal(n, await worker.Run(() =>
            {
                threads.Add(Environment.CurrentManagedThreadId);
                Assert.True(Thread.CurrentThread.IsBackground);
                return n;
            }, CancellationToken.None));
        }

        Assert.Equal(1, worker.ThreadsStarted);
        Assert.Single(threads.Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, threads[0]);
    }

    [Fact]
    public async Task A_failing_job_faults_its_task_and_the_worker_runs_the_next()
    {
        var worker = new ChunkWorker("test", TimeSpan.FromMinutes(1));

        var e = await Assert.ThrowsAsync<IOException>(() => worker.Run<int>(() => throw new IOException("EPIPE"), CancellationToken.None));

        Assert.Equal("EPIPE", e.Message);
        Assert.Equal(7, await worker.Run(() => 7, CancellationToken.None));
        Assert.Equal(1, worker.ThreadsStarted);
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_job_before_it_runs()
    {
        var worker = new ChunkWorker("test");
        bool ran = false;

        Task<int> job = worker.Run(() => { ran = true; return 1; }, new CancellationToken(canceled: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        Assert.True(job.IsCanceled);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_job_posted_while_another_waits_is_refused()
    {
        var worker = new ChunkWorker("test", TimeSpan.FromMinutes(1));
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task<int> first = worker.Run(() => { running.Set(); release.Wait(); return 1; }, CancellationToken.None);
        running.Wait();
        Task<int> second = worker.Run(() => 2, CancellationToken.None); // waits: the thread is busy with the first

        var refused = Assert.Throws<InvalidOperationException>(() => { _ = worker.Run(() => 3, CancellationToken.None); });

        release.Set();
        Assert.Equal(1, await first);
        Assert.Equal(2, await second);
        Assert.Contains("already waiting", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_worker_lets_its_thread_end_and_starts_another_for_the_next_job()
    {
        var worker = new ChunkWorker("test", TimeSpan.FromMilliseconds(1));
        Thread first = await worker.Run(() => Thread.CurrentThread, CancellationToken.None);
        while (first.IsAlive)
        {
            await Task.Delay(5);
        }
        int started = worker.ThreadsStarted;

        Thread second = await worker.Run(() => Thread.CurrentThread, CancellationToken.None);

        Assert.Equal(started + 1, worker.ThreadsStarted);
        Assert.NotSame(first, second);
    }
}
