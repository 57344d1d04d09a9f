using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CallCost
{
    public static class Program
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Work(int x, string tag) => x + tag.Length;

        private static int Loop(int calls, string tag)
        {
            int sum = 0;
            for (int i = 0; i < calls; i++)
                sum = Work(sum, tag) & 0xFFFF;
            return sum;
        }

        // Usage: CallCost [CALLS [THREADS]]. Prints the nanoseconds per call
        // of Work, measured after a warm-up long enough for tiered
        // compilation to reach its optimised code: THREADS threads (default
        // 1) each make CALLS calls at once, and the figure is the wall time
        // divided by CALLS, so it stays flat as threads are added only if
        // they do not slow one another down.
        public static int Main(string[] args)
        {
            int calls = args.Length > 0 ? int.Parse(args[0]) : 20_000_000;
            int threads = args.Length > 1 ? int.Parse(args[1]) : 1;
            int sum = Loop(2_000_000, "warm");
            Thread.Sleep(200); // let the tier-1 rewrite land
            sum += Loop(2_000_000, "warm");
            var workers = new Thread[threads];
            var results = new int[threads];
            using var ready = new CountdownEvent(threads);
            using var go = new ManualResetEventSlim(false);
            for (int t = 0; t < threads; t++)
            {
                int index = t;
                workers[t] = new Thread(() =>
                {
                    Loop(100_000, "warm"); // this thread's first calls (its own counters) before the clock
                    ready.Signal();
                    go.Wait();
                    results[index] = Loop(calls, "tag");
                });
                workers[t].Start();
            }
            ready.Wait();
            var watch = Stopwatch.StartNew();
            go.Set();
            foreach (var w in workers)
                w.Join();
            watch.Stop();
            foreach (int r in results)
                sum += r;
            Console.WriteLine($"{watch.Elapsed.TotalMilliseconds * 1e6 / calls:F2} {sum & 0xFFFF}");
            return 0;
        }
    }
}
