namespace Unload.Core
{
    public abstract class Handler
    {
        public abstract int Handle(int x);
    }
}
