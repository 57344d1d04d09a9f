using System;
using System.Collections.Generic;

namespace Meta.Sample
{
    // The tracer's contract, as docs/TRACER.md gives it.
    public static class Hooks
    {
        public static object OnEnter(string method, object instance, object[] args) { return method; }
        public static void OnExit(object state, object returnValue, Exception exception) { }
    }

    // Members that exist but cannot serve as handlers.
    public class Mixed
    {
        public object OnEnter(string method, object instance, object[] args) { return null; }
        private static void OnExit(object state, object returnValue, Exception exception) { }
        public static object Generic<T>(string method, object instance, object[] args) { return null; }
        public static void Overload(int x) { }
        public static void Overload(object state, object returnValue, Exception exception) { }
        public static int[,] Shapes(ref int x, List<string> list, Dictionary<string, int[]>.Enumerator e) { return null; }

        public class Inner
        {
            public static void OnExit(object state, object returnValue, Exception exception) { }

            public class Deeper
            {
                public static object OnEnter(string method, object instance, object[] args) { return method; }
            }
        }

        internal class Hidden
        {
            public static void OnExit(object state, object returnValue, Exception exception) { }
        }
    }

    internal static class Internal
    {
        public static void OnExit(object state, object returnValue, Exception exception) { }
    }

    public static class Generic<T>
    {
        public static void OnExit(object state, object returnValue, Exception exception) { }
    }

    public interface IHooks
    {
        static abstract void OnExit(object state, object returnValue, Exception exception);
    }
}

// A type in no namespace.
public static class Global
{
    public static void OnExit(object state, object returnValue, Exception exception) { }
}
