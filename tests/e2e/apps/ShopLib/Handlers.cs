namespace Shop.Lib
{
    public abstract class Handler
    {
        public abstract int Handle(int x);
    }

    // Demo.FastHandler derives from Middle, which derives from Handler: two
    // hops, the first across assemblies.
    public class Middle : Handler
    {
        public override int Handle(int x) => x + 1;
    }

    public interface IProcessor
    {
        int Process(int x);
    }

    public interface IBatchProcessor : IProcessor
    {
        int Batch(int x);
    }
}
