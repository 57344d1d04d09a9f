using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Signals
{
    public static class Work
    {
        private static long total;

        // Not inlined: every call must reach the instrumented body.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static long Step(int i) => Interlocked.Add(ref total, i);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static long Other(int i) => Interlocked.Add(ref total, -i);
    }

    // Usage: Signals MODE EXIT_CODE [GO_FILE]
    //   wait    42 calls, "ready", then blocks until a signal ends the process
    //   phases  5 calls, "phase 1", waits for GO_FILE to exist, 37 more calls, "ready", blocks
    //   reload  three phases of 5, 7 and 11 calls each of Step and Other: "phase 1", waits
    //           for GO_FILE, "phase 2", waits for GO_FILE.2, "done", returns EXIT_CODE
    //   handle  a PosixSignalRegistration cancels SIGTERM; 42 calls, "ready", waits for
    //           SIGTERM, 3 more calls, then returns EXIT_CODE
    public static class Program
    {
        private static void Calls(int n)
        {
            for (int i = 0; i < n; i++)
                Work.Step(i);
        }

        private static void Say(string line)
        {
            Console.WriteLine(line);
            Console.Out.Flush();
        }

        public static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "wait";
            int exitCode = args.Length > 1 ? int.Parse(args[1]) : 0;
            switch (mode)
            {
                case "wait":
                    Calls(42);
                    Say("ready");
                    Thread.Sleep(Timeout.Infinite);
                    return exitCode;
                case "phases":
                    Calls(5);
                    Say("phase 1");
                    while (!File.Exists(args[2]))
                        Thread.Sleep(10);
                    Calls(37);
                    Say("ready");
                    Thread.Sleep(Timeout.Infinite);
                    return exitCode;
                case "reload":
                    int phase = 1;
                    foreach (int n in new[] { 5, 7, 11 })
                    {
                        for (int i = 0; i < n; i++)
                        {
                            Work.Step(i);
                            Work.Other(i);
                        }
                        if (phase == 3)
                            break;
                        Say("phase " + phase);
                        string go = phase == 1 ? args[2] : args[2] + ".2";
                        while (!File.Exists(go))
                            Thread.Sleep(10);
                        phase++;
                    }
                    Say("done");
                    return exitCode;
                case "handle":
                    using (var stop = new ManualResetEventSlim())
                    using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
                           {
                               ctx.Cancel = true;
                               stop.Set();
                           }))
                    {
                        Calls(42);
                        Say("ready");
                        stop.Wait();
                        Say("SIGTERM handled");
                        Calls(3);
                    }
                    return exitCode;
                default:
                    Console.Error.WriteLine("unknown mode " + mode);
                    return 2;
            }
        }
    }
}
