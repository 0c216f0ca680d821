using System.Net.Sockets;
using System.Text;

namespace AgentMail.Review.E2E.Support;

/// <summary>
/// An SMTP conversation typed by hand, for what a polite client (MailKit) never does: a message past the advertised
/// SIZE without announcing it, sent until the server stops it.
/// </summary>
public sealed class SmtpDialogue : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private SmtpDialogue(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<SmtpDialogue> OpenAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        client.ReceiveTimeout = 10_000;
        var dialogue = new SmtpDialogue(client);
        var greeting = await dialogue.ReadReplyAsync();
        Assert.StartsWith("220", greeting);
        return dialogue;
    }

    /// <summary>Sends one command line and returns the whole reply (every line of a multi-line one).</summary>
    public async Task<string> SendAsync(string command)
    {
        await WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        return await ReadReplyAsync();
    }

    public async Task WriteAsync(byte[] data)
    {
        await _stream.WriteAsync(data);
        await _stream.FlushAsync();
    }

    public async Task<string> ReadReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new IOException($"the server closed the connection; so far: {reply}");
            reply.AppendLine(line);
            if (line.Length < 4 || line[3] == ' ')
            {
                return reply.ToString().TrimEnd();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
