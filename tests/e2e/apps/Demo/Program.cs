using System;
using System.Linq;

namespace Demo
{
    public static class Program
    {
        // Exact call counts the end-to-end tests check against the metrics file.
        private const int AddCalls = 1000;
        private const int RangeCalls = 250;
        private const int MulThreads = 8, MulCallsPerThread = 25_000;

        public static int Main(string[] args)
        {
            int exitCode = args.Length > 0 && int.TryParse(args[0], out int code) ? code : 0;
            // The percentile test's own run (tests/e2e/run_case.sh, case percentiles).
            if (Environment.GetEnvironmentVariable("DEMO_SPIN") == "1")
                return Spin.Run(exitCode);
            // The attach test's run (case attach): the workload waits until the
            // profiler has attached and says so by creating this file. Add and
            // Range run once before, so that the attach finds them compiled;
            // the file .ready says they have (the runtime's diagnostics socket
            // exists before Main runs, so an attach could otherwise come first).
            string? waitFor = Environment.GetEnvironmentVariable("DEMO_WAIT_FOR");
            if (!string.IsNullOrEmpty(waitFor))
            {
                new Calculator().Add(1, 2);
                Enumerable.Range(0, 3).Sum();
                System.IO.File.WriteAllText(waitFor + ".ready", "");
                while (!System.IO.File.Exists(waitFor))
                    System.Threading.Thread.Sleep(10);
            }

            var calculator = new Calculator();
            int sum = 0;
            for (int i = 0; i < AddCalls; i++)
                sum = calculator.Add(sum, i);

            long wide = calculator.Add(40L, 2L);

            long total = 0;
            for (int i = 0; i < RangeCalls; i++)
                total += Enumerable.Range(0, i % 10).Sum();

            // For the `base` and `attribute` rules: exact call counts.
            Shop.Lib.Handler handler = new FastHandler();
            int handled = 0;
            for (int i = 0; i < 5; i++)
                handled += handler.Handle(i);
            Shop.Lib.IProcessor processor = new Doubler();
            int processed = 0;
            for (int i = 0; i < 7; i++)
                processed += processor.Process(i);
            int jobs = 0;
            for (int i = 0; i < 4; i++)
                jobs += Jobs.Run(i);
            jobs += Jobs.Quiet(10) + Jobs.Quiet(20);

            // Many threads in the same method at once: every call must count.
            long products = 0;
            int refused = 0;
            var threads = new System.Threading.Thread[MulThreads];
            for (int t = 0; t < MulThreads; t++)
            {
                threads[t] = new System.Threading.Thread(() =>
                {
                    long local = 0;
                    int thrown = 0;
                    for (int i = 0; i < MulCallsPerThread; i++)
                    {
                        local += Calculator.Mul(i % 7, 3);
                        try
                        {
                            local += Calculator.Checked(i);
                        }
                        catch (InvalidOperationException)
                        {
                            thrown++;
                        }
                    }
                    System.Threading.Interlocked.Add(ref products, local);
                    System.Threading.Interlocked.Add(ref refused, thrown);
                });
                threads[t].Start();
            }
            foreach (var thread in threads)
                thread.Join();

            Console.WriteLine($"Calculator.Add(int) called {AddCalls} times: sum {sum}");
            Console.WriteLine($"Calculator.Mul and Checked called {MulThreads * MulCallsPerThread} times each on {MulThreads} threads: {products}, {refused} refused");
            Console.WriteLine($"handled {handled}, processed {processed}, jobs {jobs}");
            Console.WriteLine($"Calculator.Add(long): {wide}");
            Console.WriteLine($"Enumerable.Range called {RangeCalls} times: total {total}");
            return exitCode;
        }
    }
}
