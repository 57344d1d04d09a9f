using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Workload
{
    public enum Status { Pending, Shipped, Cancelled }

    public sealed class Line
    {
        public string Sku { get; set; }
        public int Quantity { get; set; }
        public decimal Price { get; set; }
    }

    public sealed class Order
    {
        public int Id { get; set; }
        public string Customer { get; set; }
        public Status Status { get; set; }
        public DateTime Placed { get; set; }
        public List<Line> Lines { get; set; } = new List<Line>();
        public Dictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public double? Discount { get; set; }
        public int[] Ratings { get; set; }
    }

    public record Point(int X, int Y);

    // A read-only stream whose async reads yield first, a few bytes at a
    // time, so the readers' tasks are still pending when they return.
    public sealed class YieldingStream : Stream
    {
        private readonly byte[] data;
        private int at;
        public YieldingStream(byte[] data) { this.data = data; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 4), data.Length - at);
            Array.Copy(data, at, buffer, offset, n);
            at += n;
            return n;
        }
        public override async System.Threading.Tasks.ValueTask<int> ReadAsync(Memory<byte> buffer,
            System.Threading.CancellationToken token = default)
        {
            await System.Threading.Tasks.Task.Yield();
            int n = Math.Min(Math.Min(buffer.Length, 4), data.Length - at);
            data.AsMemory(at, n).CopyTo(buffer);
            at += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public struct Money : IComparable<Money>
    {
        public long Cents;
        public Money(long cents) { Cents = cents; }
        public int CompareTo(Money other) => Cents.CompareTo(other.Cents);
        public override string ToString() => (Cents / 100m).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public static class Program
    {
        private static readonly StringBuilder Log = new StringBuilder();

        private static void Say(string what, object value) =>
            Log.Append(what).Append(": ").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');

        private static List<Order> MakeOrders(int n)
        {
            var orders = new List<Order>();
            var baseDate = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            for (int i = 0; i < n; i++)
            {
                var o = new Order
                {
                    Id = i,
                    Customer = "customer-" + (i % 7),
                    Status = (Status)(i % 3),
                    Placed = baseDate.AddHours(i * 5),
                    Discount = i % 4 == 0 ? null : i / 10.0,
                    Ratings = Enumerable.Range(1, i % 5).ToArray(),
                };
                for (int j = 0; j < 1 + i % 4; j++)
                    o.Lines.Add(new Line { Sku = "sku-" + ((i + j) % 11), Quantity = 1 + j, Price = 1.25m * (j + 1) });
                o.Tags["region"] = i % 2 == 0 ? "eu" : "us";
                if (i % 3 == 0) o.Tags["priority"] = "high";
                orders.Add(o);
            }
            return orders;
        }

        private static IEnumerable<int> Fibonacci(int count)
        {
            int a = 0, b = 1;
            for (int i = 0; i < count; i++)
            {
                yield return a;
                (a, b) = (b, a + b);
            }
        }

        private static void Linq(List<Order> orders)
        {
            var ints = Enumerable.Range(0, 200).ToList();
            Say("where/select", string.Join(",", ints.Where(x => x % 17 == 0).Select(x => x * 3)));
            Say("orderby", string.Join(",", orders.OrderByDescending(o => o.Lines.Count).ThenBy(o => o.Customer).ThenByDescending(o => o.Id).Take(6).Select(o => o.Id)));
            Say("order", string.Join(",", new[] { 5, 3, 9, 1 }.Order()));
            Say("groupby", string.Join(";", orders.GroupBy(o => o.Customer).OrderBy(g => g.Key).Select(g => g.Key + "=" + g.Count())));
            Say("join", orders.Join(orders.Take(10), a => a.Id % 10, b => b.Id, (a, b) => a.Id + b.Id).Sum());
            Say("groupjoin", string.Join(",", orders.Take(5).GroupJoin(orders, a => a.Customer, b => b.Customer, (a, bs) => bs.Count())));
            Say("selectmany", orders.SelectMany(o => o.Lines).Sum(l => l.Quantity * l.Price));
            Say("distinct/union", string.Join(",", ints.Take(20).Select(x => x % 6).Distinct().Union(new[] { 10, 11 }).Intersect(new[] { 1, 2, 10, 99 }).Except(new[] { 2 })));
            Say("distinctby", string.Join(",", orders.DistinctBy(o => o.Status).Select(o => o.Id)));
            Say("zip", string.Join(",", ints.Zip(ints.Skip(1), (a, b) => a * b).Take(5)));
            Say("aggregate", ints.Aggregate(0L, (acc, x) => acc * 31 + x));
            Say("min/max/avg", $"{ints.Min()} {ints.Max()} {ints.Average()} {orders.MinBy(o => o.Placed).Id} {orders.MaxBy(o => o.Lines.Count).Id}");
            Say("quantifiers", $"{ints.Any(x => x > 198)} {ints.All(x => x >= 0)} {ints.Contains(77)} {ints.Count(x => x % 2 == 0)} {ints.LongCount()}");
            Say("element", $"{ints.First(x => x > 50)} {ints.Last()} {ints.Single(x => x == 42)} {ints.ElementAt(7)} {ints.FirstOrDefault(x => x > 1000)} {ints.LastOrDefault(x => x < 0, -1)}");
            Say("partition", string.Join(",", ints.SkipWhile(x => x < 190).TakeWhile(x => x < 195).Reverse()));
            Say("chunk", string.Join("|", ints.Take(10).Chunk(3).Select(c => string.Join(",", c))));
            Say("concat/append", string.Join(",", ints.Take(2).Concat(ints.TakeLast(2)).Append(-1).Prepend(-2).DefaultIfEmpty()));
            Say("lookup", string.Join(",", orders.ToLookup(o => o.Status)[Status.Shipped].Select(o => o.Id).Take(5)));
            Say("todictionary", orders.ToDictionary(o => o.Id, o => o.Customer).Count);
            Say("tohashset", ints.Select(x => x % 13).ToHashSet().Count);
            Say("oftype/cast", new ArrayList { 1, "two", 3, 4.0 }.OfType<int>().Cast<object>().Count());
            Say("sequenceequal", ints.Take(3).SequenceEqual(new[] { 0, 1, 2 }));
            Say("fibonacci", string.Join(",", Fibonacci(15).Where(x => x % 2 == 1).Select(x => x.ToString(CultureInfo.InvariantCulture))));
            Say("range/repeat", string.Join(",", Enumerable.Repeat("ab", 3)) + Enumerable.Empty<int>().Count());
            Say("points", string.Join(",", Enumerable.Range(0, 20).Select(i => new Point(i % 4, i / 4)).OrderBy(p => p.Y).ThenByDescending(p => p.X).Take(5)));
            Say("money", string.Join(",", new[] { new Money(150), new Money(99), new Money(1000) }.Order()));
            Say("index", string.Join(",", new[] { "a", "b", "c" }.Select((item, i) => i + item)));
            try { Say("first-empty", Array.Empty<int>().First()); }
            catch (InvalidOperationException e) { Say("first-empty threw", e.GetType().Name); }
            try { Say("single-many", ints.Single(x => x > 5)); }
            catch (InvalidOperationException e) { Say("single-many threw", e.GetType().Name); }
        }

        private static void Collections()
        {
            var sorted = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var sortedList = new SortedList<int, string>();
            var sortedSet = new SortedSet<int>();
            var linked = new LinkedList<int>();
            var stack = new Stack<string>();
            var queue = new Queue<int>();
            var pq = new PriorityQueue<string, int>();
            var bits = new BitArray(64);
            var hash = new HashSet<int>();
            for (int i = 0; i < 300; i++)
            {
                int k = (i * 37) % 101;
                sorted["k" + k] = i;
                sortedList[k] = "v" + i;
                sortedSet.Add(k);
                if (i % 2 == 0) linked.AddLast(i); else linked.AddFirst(i);
                stack.Push("s" + i);
                queue.Enqueue(i);
                pq.Enqueue("p" + i, k);
                bits[i % 64] ^= true;
                hash.Add(k % 17);
            }
            sortedSet.RemoveWhere(x => x % 5 == 0);
            linked.Remove(10);
            Say("sorteddictionary", string.Join(",", sorted.Take(5).Select(p => p.Key + "=" + p.Value)) + " " + sorted.Count);
            Say("sortedlist", sortedList.Keys[3] + " " + sortedList.IndexOfKey(50) + " " + sortedList.Values.Last());
            Say("sortedset", $"{sortedSet.Min} {sortedSet.Max} {sortedSet.GetViewBetween(10, 20).Count} {string.Join(",", sortedSet.Reverse().Take(3))}");
            Say("linkedlist", $"{linked.First.Value} {linked.Last.Value} {linked.Count} {linked.Find(42)?.Next?.Value}");
            Say("stack", $"{stack.Peek()} {stack.Pop()} {stack.Count} {stack.Contains("s5")}");
            Say("queue", $"{queue.Dequeue()} {queue.Peek()} {queue.Count}");
            var drained = new List<string>();
            while (pq.TryDequeue(out var item, out var prio) && drained.Count < 5) drained.Add(item + ":" + prio);
            Say("priorityqueue", string.Join(",", drained) + " " + pq.Count);
            var bools = new bool[64];
            bits.CopyTo(bools, 0);
            Say("bitarray", bools.Count(b => b) + " " + new BitArray(bits).Not().Cast<bool>().Count(b => b));
            Say("hashset", string.Join(",", hash.OrderBy(x => x)));
            var cmp = StructuralComparisons.StructuralEqualityComparer;
            Say("structural", cmp.Equals(new[] { 1, 2 }, new[] { 1, 2 }));
        }

        private static void SystemTextJson(List<Order> orders)
        {
            var options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
            string json = System.Text.Json.JsonSerializer.Serialize(orders.Take(25).ToList(), options);
            var back = System.Text.Json.JsonSerializer.Deserialize<List<Order>>(json, options);
            Say("stj length", json.Length);
            Say("stj roundtrip", back.Count + " " + back.Sum(o => o.Lines.Count) + " " + back[3].Tags["region"] + " " + back[4].Discount);
            using (var doc = JsonDocument.Parse(json))
            {
                int count = 0;
                foreach (var o in doc.RootElement.EnumerateArray())
                    foreach (var p in o.EnumerateObject())
                        count += p.Value.ValueKind == JsonValueKind.Array ? p.Value.GetArrayLength() : 1;
                Say("stj document", count);
            }
            var node = JsonNode.Parse("{\"a\":[1,2,{\"b\":true}],\"c\":\"x\"}");
            node["d"] = new JsonArray(1, 2, 3);
            Say("stj node", node.ToJsonString());
            var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteNumber("n", 42);
                w.WriteString("s", "héllo");
                w.WriteStartArray("arr");
                for (int i = 0; i < 3; i++) w.WriteBooleanValue(i % 2 == 0);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            Say("stj writer", Encoding.UTF8.GetString(stream.ToArray()));
            var reader = new Utf8JsonReader(stream.ToArray());
            int tokens = 0;
            while (reader.Read()) tokens++;
            Say("stj reader", tokens);
            Say("stj point", System.Text.Json.JsonSerializer.Serialize(new Point(3, 4)));
            try { System.Text.Json.JsonSerializer.Deserialize<Order>("{\"Id\": \"oops\"}"); }
            catch (System.Text.Json.JsonException e) { Say("stj error", e.GetType().Name + " " + e.Path); }
        }

        private static void Newtonsoft(List<Order> orders)
        {
            var settings = new JsonSerializerSettings
            {
                Formatting = Formatting.Indented,
                NullValueHandling = NullValueHandling.Ignore,
                DateTimeZoneHandling = DateTimeZoneHandling.Utc,
            };
            string json = JsonConvert.SerializeObject(orders.Take(25), settings);
            var back = JsonConvert.DeserializeObject<List<Order>>(json, settings);
            Say("nj length", json.Length);
            Say("nj roundtrip", back.Count + " " + back.Sum(o => o.Lines.Sum(l => l.Price)) + " " + back[6].Placed.ToString("o", CultureInfo.InvariantCulture));
            var arr = JArray.Parse(json);
            Say("nj linq", string.Join(",", arr.Children<JObject>().Where(o => (int)o["Status"] == 1).Select(o => (int)o["Id"]).Take(5)));
            Say("nj select", string.Join(",", arr.SelectTokens("$..Sku").Select(t => (string)t).Distinct().OrderBy(s => s, StringComparer.Ordinal)));
            var jo = new JObject { ["name"] = "x", ["list"] = new JArray(1, 2, 3), ["nested"] = new JObject { ["ok"] = true } };
            jo["list"].Last.AddAfterSelf(4);
            Say("nj object", jo.ToString(Formatting.None));
            var dict = JsonConvert.DeserializeObject<Dictionary<string, object>>("{\"a\":1,\"b\":[1,2],\"c\":{\"d\":null}}");
            Say("nj dictionary", string.Join(",", dict.Keys) + " " + dict["b"].GetType().Name);
            var sw = new StringWriter(CultureInfo.InvariantCulture);
            using (var w = new JsonTextWriter(sw))
            {
                w.WriteStartObject();
                w.WritePropertyName("when");
                w.WriteValue(new DateTime(2020, 2, 29, 0, 0, 0, DateTimeKind.Utc));
                w.WritePropertyName("pi");
                w.WriteValue(3.14159m);
                w.WriteEndObject();
            }
            Say("nj writer", sw.ToString());
            using (var r = new JsonTextReader(new StringReader(json)))
            {
                int tokens = 0;
                while (r.Read()) tokens++;
                Say("nj reader", tokens);
            }
            try { JsonConvert.DeserializeObject<Order>("{\"Id\": \"oops\"}"); }
            catch (JsonReaderException e) { Say("nj error", e.GetType().Name + " " + e.Path); }
            catch (JsonSerializationException e) { Say("nj error", e.GetType().Name + " " + e.Path); }
        }

        // The libraries' methods that return tasks: awaited, completing
        // synchronously (memory streams), faulting and canceled.
        private static async System.Threading.Tasks.Task Async(List<Order> orders)
        {
            var ms = new MemoryStream();
            await System.Text.Json.JsonSerializer.SerializeAsync(ms, orders);
            ms.Position = 0;
            var back = await System.Text.Json.JsonSerializer.DeserializeAsync<List<Order>>(ms);
            Say("stj async", back.Count + " " + back.Sum(o => o.Lines.Count));
            ms.Position = 0;
            int streamed = 0;
            await foreach (var o in System.Text.Json.JsonSerializer.DeserializeAsyncEnumerable<Order>(ms))
                streamed += o.Id;
            Say("stj async enumerable", streamed);
            // A stream that yields before each read: the tasks are pending when returned.
            var slow = new YieldingStream(System.Text.Encoding.UTF8.GetBytes("{\"Id\": 7, \"Customer\": \"slow\"}"));
            var one = await System.Text.Json.JsonSerializer.DeserializeAsync<Order>(slow);
            Say("stj async yielding", one.Id + " " + one.Customer);
            try { await System.Text.Json.JsonSerializer.DeserializeAsync<Order>(new YieldingStream(System.Text.Encoding.UTF8.GetBytes("{\"Id\": \"oops\"}"))); }
            catch (System.Text.Json.JsonException e) { Say("stj async error", e.GetType().Name + " " + e.Path); }
            using (var cancel = new System.Threading.CancellationTokenSource())
            {
                cancel.Cancel();
                try { await System.Text.Json.JsonSerializer.SerializeAsync(new MemoryStream(), orders, cancellationToken: cancel.Token); }
                catch (OperationCanceledException e) { Say("stj async canceled", e.GetType().Name); }
            }

            var sw = new StringWriter();
            using (var w = new JsonTextWriter(sw))
            {
                await w.WriteStartArrayAsync();
                foreach (var o in orders.Take(5))
                    await w.WriteValueAsync(o.Customer);
                await w.WriteEndArrayAsync();
                await w.FlushAsync();
            }
            Say("nj async writer", sw.ToString());
            using (var r = new JsonTextReader(new StringReader(sw.ToString())))
            {
                int tokens = 0;
                while (await r.ReadAsync()) tokens++;
                Say("nj async reader", tokens);
            }
            using (var r = new JsonTextReader(new StringReader("{\"a\": [1, 2, {\"b\": null}]}")))
                Say("nj async token", (await JToken.ReadFromAsync(r)).ToString(Formatting.None));
        }

        public static int Main(string[] args)
        {
            var orders = MakeOrders(120);
            Linq(orders);
            Collections();
            SystemTextJson(orders);
            Newtonsoft(orders);
            Async(orders).GetAwaiter().GetResult();
            Console.Write(Log.ToString());
            return args.Length > 0 && int.TryParse(args[0], out int code) ? code : 0;
        }
    }
}
