using System;
using System.Runtime.CompilerServices;

namespace RefStructs
{
    public static class Generic
    {
        // A method type parameter that allows ref structs, as argument and as return value.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Measure<T>(T value, int extra) where T : allows ref struct => extra + 1;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static T Echo<T>(T value) where T : allows ref struct => value;

        // An ordinary type parameter next to it is still boxed.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static U Second<T, U>(T first, U second) where T : allows ref struct => second;
    }

    // A type parameter of the declaring type that allows ref structs.
    public sealed class Keeper<T> where T : allows ref struct
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Weigh(T value, int weight) => weight * 2;
    }

    public static class Program
    {
        public static int Main(string[] args)
        {
            Span<int> span = stackalloc int[] { 4, 5, 6 };
            Console.WriteLine($"Measure(Span): {Generic.Measure(span, 1)}");
            Console.WriteLine($"Measure(string): {Generic.Measure("text", 2)}");
            Console.WriteLine($"Echo(Span): {Generic.Echo<Span<int>>(span).Length}");
            Console.WriteLine($"Echo(int): {Generic.Echo(5)}");
            Console.WriteLine($"Second: {Generic.Second<Span<int>, string>(span, "kept")}");
            Console.WriteLine($"Weigh(Span): {new Keeper<Span<int>>().Weigh(span, 3)}");
            Console.WriteLine($"Weigh(long): {new Keeper<long>().Weigh(9L, 4)}");
            return args.Length > 0 && int.TryParse(args[0], out int code) ? code : 0;
        }
    }
}
