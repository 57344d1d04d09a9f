using System;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bundle;

public sealed class Item
{
    public int Id { get; set; }
    public string Name { get; set; } = "";
}

public static class Program
{
    // Fixed counts, asserted by the default-rules e2e case.
    public const int HttpRequests = 3;   // async GETs, then 1 synchronous Send
    public const int ServerDelayMs = 50; // what each request spends awaiting on the server
    public const int Rows = 5;
    public const int JsonRounds = 4;

    public static async Task<int> Main(string[] args)
    {
        await Http();
        Sql();
        Json();
        return args.Length > 0 && int.TryParse(args[0], out int code) ? code : 0;
    }

    // A minimal Kestrel server on 127.0.0.1 (port 0: any free port) serving
    // one plain-text endpoint, and HttpClient GETs against it.
    static async Task Http()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();   // no console lines (they hold the port)
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        // Each request takes at least ServerDelayMs, spent awaiting: the
        // durations of the async rules must cover it.
        app.MapGet("/hello/{n:int}", async (int n) =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(ServerDelayMs);
            while (sw.Elapsed.TotalMilliseconds < ServerDelayMs)
                await Task.Delay(1);
            return Results.Text("hello " + n, "text/plain");
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using (var client = new HttpClient { BaseAddress = new Uri(address) })
        {
            for (int i = 1; i <= HttpRequests; i++)
            {
                string body = await client.GetStringAsync("/hello/" + i);
                Console.WriteLine("http " + i + ": " + body);
            }
            // One more request through the synchronous API.
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/hello/" + (HttpRequests + 1)))
            using (HttpResponseMessage response = client.Send(request))
            using (var reader = new StreamReader(response.Content.ReadAsStream()))
                Console.WriteLine("http " + (HttpRequests + 1) + " (sync): " + reader.ReadToEnd());
        }
        await app.StopAsync();
        await app.DisposeAsync();
        Console.WriteLine("http: " + (HttpRequests + 1) + " requests, server stopped");
    }

    // ADO.NET on a real SQLite file in a fresh temp folder.
    static void Sql()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nrp-bundle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "items.db");
            using (var connection = new SqliteConnection("Data Source=" + file + ";Pooling=False"))
            {
                connection.Open();
                using (SqliteCommand create = connection.CreateCommand())
                {
                    create.CommandText = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)";
                    create.ExecuteNonQuery();
                }
                int inserted = 0;
                for (int i = 1; i <= Rows; i++)
                {
                    using SqliteCommand insert = connection.CreateCommand();
                    insert.CommandText = "INSERT INTO items (id, name) VALUES ($id, $name)";
                    insert.Parameters.AddWithValue("$id", i);
                    insert.Parameters.AddWithValue("$name", "item" + i);
                    inserted += insert.ExecuteNonQuery();
                }
                using (SqliteCommand count = connection.CreateCommand())
                {
                    count.CommandText = "SELECT COUNT(*) FROM items";
                    Console.WriteLine("sql: inserted " + inserted + ", count " + Convert.ToInt64(count.ExecuteScalar()));
                }
                using (SqliteCommand select = connection.CreateCommand())
                {
                    select.CommandText = "SELECT id, name FROM items ORDER BY id";
                    using SqliteDataReader reader = select.ExecuteReader();
                    var names = new System.Collections.Generic.List<string>();
                    while (reader.Read())
                        names.Add(reader.GetInt32(0) + "=" + reader.GetString(1));
                    Console.WriteLine("sql: " + string.Join(",", names));
                }
                // Through the base class: DbCommand.ExecuteReader calls the
                // provider's protected ExecuteDbDataReader.
                using (DbCommand last = connection.CreateCommand())
                {
                    last.CommandText = "SELECT name FROM items WHERE id = " + Rows;
                    using DbDataReader reader = last.ExecuteReader();
                    Console.WriteLine("sql: last " + (reader.Read() ? reader.GetString(0) : "none"));
                }
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    static void Json()
    {
        int total = 0;
        string last = "";
        for (int i = 1; i <= JsonRounds; i++)
        {
            last = JsonSerializer.Serialize(new Item { Id = i, Name = "item" + i });
            Item back = JsonSerializer.Deserialize<Item>(last)!;
            total += back.Id;
        }
        Console.WriteLine("json: " + JsonRounds + " round trips, id sum " + total + ", last " + last);
    }
}
