using System;

namespace Shapes
{
    public static class Program
    {
        // Calls each shape a fixed number of times and prints what came back,
        // so a test can check results and counts exactly.
        public static int Main(string[] args)
        {
            var calc = new Calc(3);
            int sum = 0;
            for (int i = 0; i < 5; i++)
                sum = Calc.Add(sum, i);
            Console.WriteLine($"Add: {sum}");
            Console.WriteLine($"Scale: {calc.Scale(7)}");
            calc.Nothing();
            Console.WriteLine($"Factorial: {Calc.Factorial(5)}");
            int low = 1;
            Calc.Split(1234, out int high, ref low);
            Console.WriteLine($"Split: {high} {low}");
            try { Calc.Fail("boom"); }
            catch (InvalidOperationException e) { Console.WriteLine($"Fail: {e.Message}"); }
            try { Calc.Unwind("unwind"); }
            catch (InvalidOperationException) when (Calc.Order.Append("filter;") != null) { }
            Console.WriteLine($"Unwind: {Calc.Order}");
            Console.WriteLine($"Guarded: {Calc.Guarded(4)} {Calc.Guarded(-1)} {Calc.Guarded(0)}");
            Console.WriteLine($"TwiceAsync: {Calc.TwiceAsync(21).GetAwaiter().GetResult()}");
            Console.WriteLine($"Countdown: {string.Join(",", Calc.Countdown(3))}");
            var p = new Point { X = 2, Y = 3 };
            p.Move(1);
            Console.WriteLine($"Dot: {p.Dot(new Point { X = 10, Y = 100 })}");
            var box = new Box<string>();
            box.Swap("a");
            Console.WriteLine($"Swap: {box.Swap("b")}");
            var ints = new Box<int>();
            ints.Swap(5);
            Console.WriteLine($"Swap<int>: {ints.Swap(6)}");
            Console.WriteLine($"Pick: {Box<int>.Pick(false, "x", "y")} {Box<int>.Pick(true, 1.5, 2.5)}");
            var cursor = new Cursor();
            Span<int> data = new int[] { 7, 8 };
            int first = cursor.Next(data);
            Console.WriteLine($"Cursor: {first} {cursor.Next(data)}");
            return args.Length > 0 && int.TryParse(args[0], out int code) ? code : 0;
        }
    }
}
