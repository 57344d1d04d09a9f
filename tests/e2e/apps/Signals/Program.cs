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

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Twice(int i) => 2 * i;
    }

    // include/nrp/api.h, reached as an agent reaches it: [DllImport] of a
    // name the resolver maps to the profiler's own library (CORECLR_PROFILER_PATH,
    // the same object the runtime loaded).
    public static class Api
    {
        private const string Profiler = "NewRelicProfiler";

        [DllImport(Profiler, CallingConvention = CallingConvention.Cdecl)]
        private static extern int nrp_api_version();

        [DllImport(Profiler, CallingConvention = CallingConvention.Cdecl)]
        private static extern int nrp_api_apply_rules(byte[] source, byte[] yaml, UIntPtr len, byte[] err, UIntPtr errlen);

        [DllImport(Profiler, CallingConvention = CallingConvention.Cdecl)]
        private static extern int nrp_api_remove_rules(byte[] source);

        public static void Use(string path) =>
            NativeLibrary.SetDllImportResolver(typeof(Api).Assembly,
                (name, assembly, search) => name == Profiler ? NativeLibrary.Load(path) : IntPtr.Zero);

        private static byte[] Z(string s) => System.Text.Encoding.UTF8.GetBytes(s + "\0");

        public static int Version() => nrp_api_version();

        public static int Apply(string source, string yaml, out string err)
        {
            byte[] text = System.Text.Encoding.UTF8.GetBytes(yaml), buf = new byte[512];
            int rc = nrp_api_apply_rules(Z(source), text, (UIntPtr)text.Length, buf, (UIntPtr)buf.Length);
            err = System.Text.Encoding.UTF8.GetString(buf, 0, Array.IndexOf(buf, (byte)0));
            return rc;
        }

        public static int Remove(string source) => nrp_api_remove_rules(Z(source));
    }

    // Usage: Signals MODE EXIT_CODE [GO_FILE]
    //   wait    42 calls, "ready", then blocks until a signal ends the process
    //   phases  5 calls, "phase 1", waits for GO_FILE to exist, 37 more calls, "ready", blocks
    //   reload  three phases of 5, 7 and 11 calls each of Step and Other: "phase 1", waits
    //           for GO_FILE, "phase 2", waits for GO_FILE.2, "done", returns EXIT_CODE
    //   api     rules added and removed through include/nrp/api.h (see Program.ApiRun); the
    //           number of Twice calls goes to the file GO_FILE
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

        private static string Rule(string name, string method, string key = "method") =>
            "version: 1\nrules:\n  - name: " + name + "\n    match: { assembly: Signals, type: Signals.Work, " + key +
            ": " + method + " }\n    strategy: timing\n";

        // Rules applied, refused and removed; then applied and removed 200
        // times while 8 threads call the instrumented method.
        private static int ApiRun(int exitCode, string callsFile)
        {
            string? path = Environment.GetEnvironmentVariable("CORECLR_PROFILER_PATH");
            if (string.IsNullOrEmpty(path))
            {
                Say("no profiler");
                return exitCode;
            }
            Api.Use(path);
            Say("version " + Api.Version());
            Say("apply " + Api.Apply("agent.yaml", Rule("step", "Step"), out _));
            Calls(10);
            Say("apply " + Api.Apply("agent-bad.yaml", Rule("other", "Other", "methd"), out string err) + ": " + err);
            Say("remove " + Api.Remove("agent.yaml"));
            Calls(5);
            Say("remove " + Api.Remove("nope"));

            int wrong = 0, failures = 0;
            long calls = 0;
            bool stop = false;
            var threads = new Thread[8];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = new Thread(() =>
                {
                    long mine = 0;
                    int bad = 0;
                    for (int i = 0; !Volatile.Read(ref stop); i = (i + 1) & 0xFFFF, mine++)
                        if (Work.Twice(i) != 2 * i)
                            bad++;
                    Interlocked.Add(ref calls, mine);
                    Interlocked.Add(ref wrong, bad);
                });
                threads[t].Start();
            }
            for (int cycle = 0; cycle < 200; cycle++)
            {
                if (Api.Apply("twice.yaml", Rule("twice", "Twice"), out _) != 0)
                    failures++;
                Thread.Sleep(1);
                if (Api.Remove("twice.yaml") != 0)
                    failures++;
            }
            Volatile.Write(ref stop, true);
            foreach (var thread in threads)
                thread.Join();
            File.WriteAllText(callsFile, calls + "\n");
            Say("stress: 200 cycles, " + failures + " failed calls, " + wrong + " wrong results");
            return exitCode;
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
                case "api":
                    return ApiRun(exitCode, args[2]);
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
