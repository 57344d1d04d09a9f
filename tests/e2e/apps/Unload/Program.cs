using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Unload
{
    public static class Program
    {
        // One round: load the plugin into its own collectible context, call
        // its handler, start the unload. Returns the context to watch.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static WeakReference RunRound(string folder, int round, out int sum)
        {
            var context = new AssemblyLoadContext("plugin-round-" + round, isCollectible: true);
            context.Resolving += (ctx, name) => ctx.LoadFromAssemblyPath(Path.Combine(folder, name.Name + ".dll"));
            Assembly plugin = context.LoadFromAssemblyPath(Path.Combine(folder, "Unload.Impl.dll"));
            Type type = plugin.GetType("Unload.Impl.Doubler", throwOnError: true);
            object handler = Activator.CreateInstance(type);
            MethodInfo handle = type.GetMethod("Handle");
            sum = 0;
            for (int i = 1; i <= 5; i++)
                sum += (int)handle.Invoke(handler, new object[] { i });
            context.Unload();
            return new WeakReference(context);
        }

        public static int Main(string[] args)
        {
            string folder = Path.Combine(AppContext.BaseDirectory, "unload-plugins");
            for (int round = 1; round <= 3; round++)
            {
                WeakReference context = RunRound(folder, round, out int sum);
                for (int i = 0; i < 100 && context.IsAlive; i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                Console.WriteLine($"round {round}: sum {sum}, unloaded {!context.IsAlive}");
            }
            return args.Length > 0 && int.TryParse(args[0], out int code) ? code : 0;
        }
    }
}
