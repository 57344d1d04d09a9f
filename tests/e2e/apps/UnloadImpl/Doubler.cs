using System.Runtime.CompilerServices;

namespace Unload.Impl
{
    public sealed class Doubler : Unload.Core.Handler
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public override int Handle(int x) => 2 * x;
    }
}
