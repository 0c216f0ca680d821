using System.Text;
using AgentMail.Review.Web.Inbound;

namespace AgentMail.Review.Web.Tests.Inbound;

/// <summary>What the SMTP library gets to read of a message: never more than the limit, and always its end.</summary>
public sealed class SizeLimitedStreamTests
{
    private const int Limit = 100;

    /// <summary>Reads everything, the way the library's pipe does, in reads of at most <paramref name="readSize"/> bytes.</summary>
    private static (string Read, bool Exceeded) ReadMessage(string afterDataCommand, int chunk, int readSize = 4096)
    {
        var limited = new SizeLimitedStream(new Trickle(Encoding.ASCII.GetBytes(afterDataCommand), chunk), Limit);
        limited.BeginMessage();
        var read = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = limited.Read(buffer, 0, buffer.Length)) > 0)
        {
            read.Write(buffer, 0, n);
        }

        return (Encoding.ASCII.GetString(read.ToArray()), limited.Exceeded);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void A_message_of_exactly_the_limit_passes_whole_with_what_follows_it(int chunk)
    {
        var message = new string('a', Limit - 2) + "\r\n";

        var (read, exceeded) = ReadMessage(message + ".\r\nQUIT\r\n", chunk);

        Assert.False(exceeded);
        Assert.Equal(message + ".\r\nQUIT\r\n", read);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void A_message_past_the_limit_is_cut_dropped_to_its_final_dot_and_ended_and_the_next_command_still_arrives(int chunk)
    {
        var message = string.Concat(Enumerable.Repeat("0123456789012345678\r\n", 50));

        var (read, exceeded) = ReadMessage(message + ".\r\nQUIT\r\n", chunk, readSize: 13);

        Assert.True(exceeded);
        Assert.EndsWith("\r\n.\r\nQUIT\r\n", read);
        Assert.True(read.Length <= Limit + 5 + "\r\n.\r\nQUIT\r\n".Length, $"{read.Length} bytes reached the library");
        Assert.Equal(1, CountOf(read, "\r\n.\r\n"));
    }

    [Fact]
    public void A_dot_stuffed_line_is_not_the_end_of_the_message()
    {
        var message = "line\r\n..not the end\r\nmore\r\n";

        var (read, exceeded) = ReadMessage(message + ".\r\n", chunk: 3);

        Assert.False(exceeded);
        Assert.Equal(message + ".\r\n", read);
    }

    [Fact]
    public void A_command_line_without_end_closes_the_connection()
    {
        var limited = new SizeLimitedStream(new Trickle(new byte[200 * 1024], 4096), Limit);
        var buffer = new byte[4096];

        Assert.Throws<IOException>(() =>
        {
            while (limited.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        });
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>A connection that hands over at most <paramref name="chunk"/> bytes per read, as a slow network does.</summary>
    private sealed class Trickle(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
