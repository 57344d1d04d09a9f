using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace CallCost
{
    public static class Program
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Work(int x, string tag) => x + tag.Length;

        // Prints the nanoseconds per call of Work, measured after a warm-up
        // long enough for tiered compilation to reach its optimised code.
        public static int Main(string[] args)
        {
            int calls = args.Length > 0 ? int.Parse(args[0]) : 20_000_000;
            int sum = 0;
            for (int i = 0; i < 2_000_000; i++)
                sum = Work(sum, "warm") & 0xFFFF;
            System.Threading.Thread.Sleep(200); // let the tier-1 rewrite land
            for (int i = 0; i < 2_000_000; i++)
                sum = Work(sum, "warm") & 0xFFFF;
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
                sum = Work(sum, "tag") & 0xFFFF;
            watch.Stop();
            Console.WriteLine($"{watch.Elapsed.TotalMilliseconds * 1e6 / calls:F2} {sum}");
            return 0;
        }
    }
}
