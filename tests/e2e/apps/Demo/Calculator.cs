using System.Runtime.CompilerServices;

namespace Demo
{
    public sealed class Calculator
    {
        // NoInlining keeps every call a real call; the profiler also blocks
        // inlining of methods it rewrites, this only makes the test's intent plain.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Add(int a, int b) => a + b;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public long Add(long a, long b) => a + b;

        // Called from many threads at once by Program (the concurrency case).
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Mul(int a, int b) => a * b;

        // Throws on every 100th value: exceptions counted from many threads.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Checked(int i)
        {
            if (i % 100 == 0)
                throw new System.InvalidOperationException("multiple of 100");
            return i;
        }
    }
}
