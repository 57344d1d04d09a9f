using System;
using System.Runtime.CompilerServices;

namespace Demo
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TracedAttribute : Attribute
    {
    }

    public sealed class FastHandler : Shop.Lib.Middle
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public override int Handle(int x) => x * 2;
    }

    // Implements IProcessor only through IBatchProcessor.
    public sealed class Doubler : Shop.Lib.IBatchProcessor
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Process(int x) => x * 2;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Batch(int x) => x * 3;
    }

    public static class Jobs
    {
        [Traced]
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Run(int x) => x + 3;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Quiet(int x) => x - 3;
    }
}
