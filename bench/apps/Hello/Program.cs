namespace Hello
{
    public static class Program
    {
        public static void Main() => System.Console.WriteLine("Hello, world");
    }
}
