using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Demo
{
    // Methods that take a known time, for the percentile test: each
    // busy-waits (no sleep, whose wake-up the scheduler delays) for its
    // duration, measured by Stopwatch, so the truth is the duration itself
    // plus the few nanoseconds of one last clock read.
    public static class Spin
    {
        private const int Calls = 300;

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void For(long microseconds)
        {
            long until = Stopwatch.GetTimestamp() + microseconds * Stopwatch.Frequency / 1_000_000;
            while (Stopwatch.GetTimestamp() < until)
            {
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Wait20() => For(20);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Wait130() => For(130);

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Wait700() => For(700);

        public static int Run(int exitCode)
        {
            for (int i = 0; i < Calls; i++)
            {
                Wait20();
                Wait130();
                Wait700();
            }
            System.Console.WriteLine($"Spin.Wait20, Wait130 and Wait700 called {Calls} times each");
            return exitCode;
        }
    }
}
