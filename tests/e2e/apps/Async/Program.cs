// The async methods the timing end-to-end test (run_case.sh, case async)
// instruments: AsyncApp.Ops, every method. Each is called an exact number of
// times; what the app prints checks what it sees of them (results, faults,
// cancellations, the thread and context continuations run on), and must be
// the same with and without the profiler.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncApp;

public static class Ops
{
    // Task.Delay may end a little before its time (the timer counts whole
    // milliseconds): the methods make sure their awaits last at least `ms`.
    // Every await lasts 10 ms or more, so the app is awaiting a task well
    // before it completes, and what the tracer prints at completion comes in
    // one order (an await that finds its task already complete goes on at
    // once, while the completing thread may still be running OnExit).
    static async Task Wait(int ms)
    {
        var sw = Stopwatch.StartNew();
        await Task.Delay(ms);
        while (sw.Elapsed.TotalMilliseconds < ms)
            Thread.Sleep(1);
    }

    public static async Task Delay() => await Wait(30);

    public static async Task<int> Fault(int i)
    {
        await Task.Delay(10);
        throw new InvalidOperationException("fault " + i);
    }

    public static async Task Cancel(CancellationToken token) => await Task.Delay(Timeout.Infinite, token);

    public static async ValueTask<int> ValueAwait(int x)
    {
        await Wait(30);
        return x * 2;
    }

    public static ValueTask<int> ValueSync(int x) => new ValueTask<int>(x + 1);

    public static async ValueTask ValuePlain() => await Task.Delay(10);

    // A ValueTask over an IValueTaskSource, not a Task.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<int> Pooled(int x)
    {
        await Wait(10);
        return x + 100;
    }

    public static Task<int> FromResult(int x) => Task.FromResult(x);

#pragma warning disable CS1998 // no await: completes synchronously
    public static async Task<string> NoAwait(int x) => x.ToString();
#pragma warning restore CS1998

    public static Task Thrower(int i) => throw new ArgumentException("thrown " + i);

    public static Task<int>? NullTask() => null;

    public static Task<int> Pending(TaskCompletionSource<int> source) => source.Task;

    // Shapes.Hooks' OnExit throws for a method named Scale: under the
    // tracer, its exception must not reach the app.
    public static async Task<int> Scale(int x)
    {
        await Task.Delay(10);
        return x * 3;
    }

    public static async Task<bool> InContext(SynchronizationContext expected)
    {
        await Wait(10);
        return SynchronizationContext.Current == expected;
    }
}

// Runs posted callbacks one after the other on its own thread.
sealed class LoopContext : SynchronizationContext, IDisposable
{
    readonly BlockingCollection<(SendOrPostCallback, object?)> queue = new();
    readonly Thread thread;

    public LoopContext()
    {
        thread = new Thread(() =>
        {
            SetSynchronizationContext(this);
            foreach (var (callback, state) in queue.GetConsumingEnumerable())
                callback(state);
        });
        thread.Start();
    }

    public override void Post(SendOrPostCallback d, object? state) => queue.Add((d, state));

    public T Run<T>(Func<Task<T>> f)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(async _ =>
        {
            try { done.SetResult(await f()); }
            catch (Exception e) { done.SetException(e); }
        }, null);
        return done.Task.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        thread.Join();
    }
}

public static class Program
{
    static int unobserved;

    public static int Main(string[] args)
    {
        TaskScheduler.UnobservedTaskException += (_, e) => Interlocked.Increment(ref unobserved);
        Run().GetAwaiter().GetResult();
        return args.Length > 0 ? int.Parse(args[0]) : 0;
    }

    static async Task Run()
    {
        for (int i = 0; i < 5; i++)
            await Ops.Delay();
        Console.WriteLine("delay: 5 awaited");

        for (int i = 0; i < 3; i++)
        {
            try { await Ops.Fault(i); }
            catch (InvalidOperationException e) { Console.WriteLine("caught: " + e.Message); }
        }

        for (int i = 0; i < 2; i++)
        {
            using var cancel = new CancellationTokenSource(10);
            try { await Ops.Cancel(cancel.Token); }
            catch (OperationCanceledException) { Console.WriteLine("canceled " + i); }
        }

        int sum = 0;
        for (int i = 0; i < 4; i++)
            sum += await Ops.ValueAwait(i);
        for (int i = 0; i < 10; i++)
            sum += await Ops.ValueSync(i);
        for (int i = 0; i < 3; i++)
            await Ops.ValuePlain();
        for (int i = 0; i < 3; i++)
            sum += await Ops.Pooled(i);
        for (int i = 0; i < 100; i++)
            sum += await Ops.FromResult(i);
        for (int i = 0; i < 50; i++)
            sum += (await Ops.NoAwait(i)).Length;
        Console.WriteLine("sum: " + sum);

        for (int i = 0; i < 2; i++)
        {
            try { await Ops.Thrower(i); }
            catch (ArgumentException e) { Console.WriteLine("caught: " + e.Message); }
        }
        Console.WriteLine("null task: " + (Ops.NullTask() == null));
        Console.WriteLine("scale: " + await Ops.Scale(14));

        // The app's await continuation still runs inline, on the thread that
        // completes the task, after the profiler's own.
        var source = new TaskCompletionSource<int>();
        var pending = Ops.Pending(source);
        int awaitedOn = -1, completedOn = -1;
        var after = AwaitThenNote(pending, id => awaitedOn = id);
        var completer = new Thread(() => { completedOn = Environment.CurrentManagedThreadId; source.SetResult(42); });
        completer.Start();
        completer.Join();
        Console.WriteLine("same task: " + ReferenceEquals(pending, source.Task));
        Console.WriteLine("continuation inline: " + (after.IsCompleted && awaitedOn == completedOn));

        using (var context = new LoopContext())
        {
            Console.WriteLine("context kept: " + context.Run(() => Ops.InContext(context)));
            Console.WriteLine("ConfigureAwait(false) leaves it: " + context.Run(async () =>
            {
                await Ops.Delay().ConfigureAwait(false);
                return SynchronizationContext.Current == null;
            }));
        }

        // A faulted task nobody awaits is reported unobserved, as ever (not
        // under the tracer's await: true, whose OnExit reads the exception).
        if (Environment.GetEnvironmentVariable("ASYNC_SKIP_FORGET") == "1")
            return;
        FireAndForget();
        await Task.Delay(100);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Console.WriteLine("unobserved: " + Volatile.Read(ref unobserved));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void FireAndForget() => _ = Ops.Fault(99);

    static async Task AwaitThenNote(Task<int> task, Action<int> note)
    {
        await task;
        note(Environment.CurrentManagedThreadId);
    }
}
