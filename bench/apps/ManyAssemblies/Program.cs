using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Collections.ObjectModel;
using System.Collections.Specialized;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Data;
using System.Diagnostics;
using System.Drawing;
using System.Formats.Asn1;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Linq.Expressions;
using System.Net;
using System.Net.Http;
using System.Net.Mail;
using System.Numerics;
using System.Reflection.Metadata;
using System.Runtime.Serialization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using System.Web;
using System.Xml;
using System.Xml.Linq;

namespace ManyAssemblies
{
    [DataContract]
    public sealed class Item
    {
        [DataMember] public int Id { get; set; }
        [Required] public string Name { get; set; }
    }

    public static class Program
    {
        // Each line uses a type of another framework assembly (named at the
        // end), so the runtime loads it; the result feeds one checksum, so
        // nothing is left out. Prints how many assemblies were loaded.
        public static int Main()
        {
            long sum = 0;
            sum += new LinkedList<int>(new[] { 1, 2 }).Count;                          // System.Collections
            sum += new ConcurrentBag<int> { 3 }.Count;                                 // System.Collections.Concurrent
            sum += ImmutableArray.Create(1, 2, 3).Length;                              // System.Collections.Immutable
            sum += new NameValueCollection { { "a", "b" } }.Count;                     // System.Collections.Specialized
            sum += new ObservableCollection<int> { 4 }.Count;                          // System.ObjectModel
            sum += Enumerable.Range(0, 5).Sum();                                       // System.Linq
            sum += Expression.Constant(5).ToString().Length;                           // System.Linq.Expressions
            sum += Regex.IsMatch("abc", "b") ? 1 : 0;                                  // System.Text.RegularExpressions
            sum += JsonSerializer.Serialize(new { a = 1 }).Length;                     // System.Text.Json
            sum += IPAddress.Loopback.GetAddressBytes().Length;                        // System.Net.Primitives
            sum += new Uri("http://example.com/a").Segments.Length;                    // System.Private.Uri
            sum += new HttpRequestMessage(HttpMethod.Get, "http://example.com/").Headers.Count(); // System.Net.Http
            sum += new MailAddress("a@example.com").Host.Length;                       // System.Net.Mail
            sum += HttpUtility.UrlEncode("a b").Length;                                // System.Web.HttpUtility
            var doc = new XmlDocument(); doc.LoadXml("<a><b/></a>");
            sum += doc.DocumentElement.ChildNodes.Count;                               // System.Private.Xml
            sum += XDocument.Parse("<a><b/><c/></a>").Root.Elements().Count();         // System.Private.Xml.Linq
            sum += TypeDescriptor.GetConverter(typeof(int)).ConvertFromString("7") is int n ? n : 0; // System.ComponentModel.TypeConverter
            sum += new ValidationContext(new Item()).Items.Count;                      // System.ComponentModel.Annotations
            var table = new DataTable(); table.Columns.Add("x", typeof(int));
            sum += table.Columns.Count;                                                // System.Data.Common
            sum += Process.GetCurrentProcess().Id > 0 ? 1 : 0;                         // System.Diagnostics.Process
            using (var source = new ActivitySource("bench")) sum += source.Name.Length; // System.Diagnostics.DiagnosticSource
            sum += new TraceSource("bench").Name.Length;                               // System.Diagnostics.TraceSource
            var packed = new MemoryStream();
            using (var gz = new GZipStream(packed, CompressionLevel.Fastest, true)) gz.WriteByte(1);
            sum += packed.Length > 0 ? 1 : 0;                                          // System.IO.Compression
            sum += SHA256.HashData(Encoding.UTF8.GetBytes("x")).Length;                // System.Security.Cryptography
            sum += (int)(BigInteger.Pow(3, 5) % 100);                                  // System.Runtime.Numerics
            sum += Channel.CreateUnbounded<int>().Writer.TryWrite(1) ? 1 : 0;          // System.Threading.Channels
            sum += Color.FromArgb(1, 2, 3).B;                                          // System.Drawing.Primitives
            var asn = new AsnWriter(AsnEncodingRules.DER); asn.WriteInteger(5);
            sum += asn.GetEncodedLength();                                             // System.Formats.Asn1
            sum += new BlobBuilder().Count;                                            // System.Reflection.Metadata
            var xml = new MemoryStream();
            new DataContractSerializer(typeof(Item)).WriteObject(xml, new Item { Id = 1, Name = "n" });
            sum += xml.Length > 0 ? 1 : 0;                                             // System.Private.DataContractSerialization
            sum += new WebHeaderCollection { { "a", "b" } }.Count;                     // System.Net.WebHeaderCollection
            sum += new Vector2(1, 2).Length() > 0 ? 1 : 0;                             // System.Numerics.Vectors
            sum += System.Transactions.Transaction.Current == null ? 1 : 0;            // System.Transactions.Local
            sum += new System.Security.Claims.ClaimsIdentity("bench").IsAuthenticated ? 1 : 0; // System.Security.Claims
            Console.WriteLine($"{AppDomain.CurrentDomain.GetAssemblies().Length} assemblies loaded, checksum {sum}");
            return 0;
        }
    }
}
