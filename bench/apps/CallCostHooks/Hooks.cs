namespace CallCost.Hooks
{
    // The cheapest handlers possible, so the benchmark measures the
    // injected code, not the handlers.
    public static class Hooks
    {
        public static object OnEnter(string method, object instance, object[] args) => null;
        public static void OnExit(object state, object returnValue, System.Exception exception) { }
    }
}
