using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCost
{
    // The methods bench/async_cost.sh instruments: every method of this
    // class, and nothing else. It has no static fields, so no static
    // constructor to be matched along with them.
    public static class Probes
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Sync(int a, int b) => a + b;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Task<int> Completed(int a, int b) => Cache.One;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ValueTask<int> CompletedValue(int a, int b) => new ValueTask<int>(a + b);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Task<int> Pending(TaskCompletionSource<int> s) => s.Task;
    }

    public static class Cache
    {
        public static readonly Task<int> One = Task.FromResult(1);
    }

    // Not instrumented: the app's own await on a task.
    public static class Awaiter
    {
        public static async Task AwaitIt(Task<int> t) => await t;
    }

    // Not instrumented: the continuation <nrp>TaskWatch registers, registered
    // by the app itself, to tell the runtime's share of the cost from ours.
    public static class SameContinuation
    {
        private static readonly Action<Task, object> Done = (t, state) => { };

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static Task<int> Pending(TaskCompletionSource<int> s)
        {
            var t = s.Task;
            t.ContinueWith(Done, Tuple.Create(0L, IntPtr.Zero, IntPtr.Zero), CancellationToken.None,
                           TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return t;
        }
    }

    public static class Program
    {
        private static int Sync(int calls)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
                sum = Probes.Sync(sum, i) & 0xFFFF;
            return sum;
        }

        private static int Completed(int calls)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
                sum = (sum + Probes.Completed(sum, i).Result) & 0xFFFF;
            return sum;
        }

        private static int CompletedValue(int calls)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
                sum = Probes.CompletedValue(sum, i).Result & 0xFFFF;
            return sum;
        }

        private static int Pending(int calls)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
            {
                var s = new TaskCompletionSource<int>();
                var t = Probes.Pending(s);
                s.SetResult(1);
                sum = (sum + t.Result) & 0xFFFF;
            }
            return sum;
        }

        private static int PendingAwaited(int calls) => Awaited(calls, Probes.Pending);

        private static int SameContinuationPending(int calls)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
            {
                var s = new TaskCompletionSource<int>();
                var t = SameContinuation.Pending(s);
                s.SetResult(1);
                sum = (sum + t.Result) & 0xFFFF;
            }
            return sum;
        }

        private static int Awaited(int calls, Func<TaskCompletionSource<int>, Task<int>> pending)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
            {
                var s = new TaskCompletionSource<int>();
                var t = pending(s);
                var w = Awaiter.AwaitIt(t);
                s.SetResult(1);
                if (!w.IsCompleted)
                    throw new InvalidOperationException("the await did not run inline");
                sum = (sum + t.Result) & 0xFFFF;
            }
            return sum;
        }

        private static int checksum;

        // Warm the loop up (tiered compilation reaches optimised code),
        // then time CALLS calls and count the bytes this thread allocated.
        private static void Measure(string name, Func<int, int> loop, int calls)
        {
            checksum += loop(calls / 10);
            Thread.Sleep(200); // let the tier-1 code land
            checksum += loop(calls / 10);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            checksum += loop(calls);
            watch.Stop();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Console.WriteLine(FormattableString.Invariant(
                $"{name} {watch.Elapsed.TotalMilliseconds * 1e6 / calls:F2} {(double)bytes / calls:F2}"));
        }

        // Usage: AsyncCost [FAST_CALLS [PENDING_CALLS]]. Prints one line per
        // probe, "NAME NS_PER_CALL BYTES_PER_CALL", measured after warm-up.
        public static int Main(string[] args)
        {
            int fast = args.Length > 0 ? int.Parse(args[0]) : 20_000_000;
            int pending = args.Length > 1 ? int.Parse(args[1]) : 2_000_000;
            Measure("sync", Sync, fast);
            Measure("completed", Completed, fast);
            Measure("completed-value", CompletedValue, fast);
            Measure("pending", Pending, pending);
            Measure("pending-awaited", PendingAwaited, pending);
            Measure("same-pending", SameContinuationPending, pending);
            Measure("same-awaited", calls => Awaited(calls, SameContinuation.Pending), pending);
            Console.WriteLine($"checksum {checksum}");
            return 0;
        }
    }
}
