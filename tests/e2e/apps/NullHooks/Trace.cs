using System;
using System.Threading;

namespace Null.Hooks
{
    public static class Trace
    {
        private static long _enters, _exits;

        public static object OnEnter(string method, object instance, object[] args)
        {
            Interlocked.Increment(ref _enters);
            return method;
        }

        public static void OnExit(object state, object returnValue, Exception exception)
        {
            Interlocked.Increment(ref _exits);
        }
    }
}
