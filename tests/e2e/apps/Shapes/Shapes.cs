using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Shapes
{
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
    public sealed class TracedAttribute : Attribute { }

    public sealed class Calc
    {
        private readonly int _bias;

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public Calc(int bias) { _bias = bias; }

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static int Add(int a, int b) => a + b;

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public int Scale(int x) => x * _bias;

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public void Nothing() { }

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static long Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static void Split(int value, out int high, ref int low)
        {
            high = value / 100;
            low += value % 100;
        }

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static string Fail(string why) => throw new InvalidOperationException(why);

        // An exception leaving through its own finally: the caller's filter
        // runs before that finally (the first pass of exception handling),
        // and instrumentation must not change that order.
        public static readonly System.Text.StringBuilder Order = new System.Text.StringBuilder();

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static void Unwind(string why)
        {
            try
            {
                Order.Append("throw;");
                throw new InvalidOperationException(why);
            }
            finally
            {
                Order.Append("finally;");
            }
        }

        // Its own handlers: catch, filter and finally, and an exception that
        // leaves through them.
        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static int Guarded(int x)
        {
            int result = 0;
            try
            {
                try
                {
                    if (x < 0)
                        throw new ArgumentException("negative");
                    if (x == 0)
                        throw new DivideByZeroException();
                    result = 100 / x;
                }
                catch (ArgumentException e) when (e.Message == "negative")
                {
                    result = -1;
                }
                finally
                {
                    result += 1000;
                }
            }
            catch (DivideByZeroException)
            {
                result = -2;
            }
            return result;
        }

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static async Task<int> TwiceAsync(int x)
        {
            await Task.Yield();
            return x * 2;
        }

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static IEnumerable<int> Countdown(int from)
        {
            for (int i = from; i > 0; i--)
                yield return i;
        }
    }

    public struct Point
    {
        public int X, Y;

        public override string ToString() => $"Point({X},{Y})";

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public int Dot(Point other) => X * other.X + Y * other.Y;

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public void Move(int dx) { X += dx; }
    }

    // A ref struct taking a Span: neither `this` nor the argument can be
    // boxed, so the tracer passes null for both.
    public ref struct Cursor
    {
        private int _pos;

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public int Next(Span<int> data) => data[_pos++];
    }

    public sealed class Box<T>
    {
        private T _value;

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public T Swap(T value)
        {
            T old = _value;
            _value = value;
            return old;
        }

        [Traced, MethodImpl(MethodImplOptions.NoInlining)]
        public static U Pick<U>(bool first, U a, U b) => first ? a : b;
    }
}
