using System;
using System.Collections;
using System.Linq;
using System.Threading.Tasks;

namespace Shapes.Hooks
{
    public static class Trace
    {
        public static object OnEnter(string method, object instance, object[] args)
        {
            string shown = args == null ? "null" : "[" + string.Join(",", args.Select(Show)) + "]";
            Console.WriteLine($"  > {method} this={Show(instance)} args={shown}");
            if (method.Contains("::Nothing("))
                throw new InvalidOperationException("OnEnter fails on purpose");
            return method;
        }

        public static void OnExit(object state, object returnValue, Exception exception)
        {
            string ex = exception == null ? "none" : $"{exception.GetType().Name}({exception.Message})";
            Console.WriteLine($"  < {state} returned={Show(returnValue)} exception={ex}");
            if (((string)state).Contains("::Scale("))
                throw new InvalidOperationException("OnExit fails on purpose");
        }

        private static string Show(object o)
        {
            switch (o)
            {
                case null: return "null";
                case string s: return "\"" + s + "\"";
                case Task _: return "Task";
                case IEnumerable _: return "IEnumerable";
                default: return o.ToString();
            }
        }
    }
}
