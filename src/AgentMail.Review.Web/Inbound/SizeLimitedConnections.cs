using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;
using SmtpServer.Protocol;

namespace AgentMail.Review.Web.Inbound;

/// <summary>
/// Connections whose messages cannot grow past the size limit in memory. SmtpServer's own strict limit does not
/// answer (its DATA command swallows the refusal and the session then waits for input that never comes), so the
/// limit is kept here, under the library: during DATA at most <c>MaxMessageBytes</c> reach it; past that the rest of
/// the message is read and dropped up to the client's final dot, the library is handed the end of a (cut) message,
/// and the store, seeing <see cref="SizeLimitedPipe.Exceeded"/>, answers 552 and keeps nothing. The client hears the
/// refusal after its final dot, as SMTP expects, and may go on with the session.
/// </summary>
internal sealed class SizeLimitedListenerFactory(int maxMessageBytes) : IEndpointListenerFactory
{
    public const string PipeKey = "AgentMailReview:SizeLimitedPipe";

    private readonly TaskCompletionSource<EndPoint> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The address bound (the port the system chose when the configured one is 0).</summary>
    public Task<EndPoint> Started => _started.Task;

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            _started.TrySetException(e);
            throw;
        }

        _started.TrySetResult(listener.LocalEndpoint);
        return new Listener(listener, maxMessageBytes);
    }

    private sealed class Listener(TcpListener listener, int maxMessageBytes) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            context.Properties[EndpointListener.LocalEndPointKey] = listener.LocalEndpoint;
            context.Properties[EndpointListener.RemoteEndPointKey] = client.Client.RemoteEndPoint!;
            var pipe = new SizeLimitedPipe(client, maxMessageBytes);
            context.Properties[PipeKey] = pipe;
            context.CommandExecuting += (_, e) =>
            {
                if (e.Command is DataCommand)
                {
                    pipe.BeginMessage();
                }
            };
            return pipe;
        }

        public void Dispose() => listener.Stop();
    }
}

/// <summary>The library's duplex pipe, over a <see cref="SizeLimitedStream"/> (re-made above TLS after STARTTLS).</summary>
internal sealed class SizeLimitedPipe : ISecurableDuplexPipe
{
    private readonly TcpClient _client;
    private readonly int _maxMessageBytes;
    private Stream _stream;
    private SizeLimitedStream _limited;

    public SizeLimitedPipe(TcpClient client, int maxMessageBytes)
    {
        _client = client;
        _maxMessageBytes = maxMessageBytes;
        _stream = client.GetStream();
        _limited = new SizeLimitedStream(_stream, maxMessageBytes);
        Input = PipeReader.Create(_limited);
        Output = PipeWriter.Create(_stream);
    }

    public PipeReader Input { get; private set; }

    public PipeWriter Output { get; private set; }

    public bool IsSecure => _stream is SslStream;

    public SslProtocols SslProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

    /// <summary>Whether the message just read went past the limit (and was cut).</summary>
    public bool Exceeded => _limited.Exceeded;

    public void BeginMessage() => _limited.BeginMessage();

    public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: true);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = false,
                EnabledSslProtocols = protocols,
            }, cancellationToken);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        _stream = ssl;
        _limited = new SizeLimitedStream(ssl, _maxMessageBytes);
        Input = PipeReader.Create(_limited);
        Output = PipeWriter.Create(ssl);
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}

/// <summary>
/// Reads the connection for the library. Between the DATA command and the final <c>CRLF.CRLF</c> it passes at most the
/// limit and then drops the rest of the message; outside DATA it refuses a command line longer than any real one.
/// </summary>
internal sealed class SizeLimitedStream(Stream inner, int maxMessageBytes) : Stream
{
    /// <summary>Far past any command SMTP has (RFC 5321 allows 512 octets, AUTH lines somewhat more).</summary>
    private const int MaxCommandLineBytes = 64 * 1024;

    private static readonly byte[] EndOfData = "\r\n.\r\n"u8.ToArray();

    private readonly byte[] _raw = new byte[16 * 1024];
    private int _rawOffset;
    private int _rawLength;
    private byte[] _synthetic = [];
    private int _syntheticOffset;
    private bool _inMessage;
    private bool _dropping;
    private long _passed;

    // How much of CRLF.CRLF the bytes so far end with (the DATA line's own CRLF counts).
    private int _matched;
    private int _lineLength;

    public bool Exceeded { get; private set; }

    /// <summary>The DATA command is about to read a message: from here its bytes are counted.</summary>
    public void BeginMessage()
    {
        _inMessage = true;
        _dropping = false;
        Exceeded = false;
        _passed = 0;
        _matched = 2;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_syntheticOffset < _synthetic.Length)
            {
                var count = Math.Min(destination.Length, _synthetic.Length - _syntheticOffset);
                _synthetic.AsMemory(_syntheticOffset, count).CopyTo(destination);
                _syntheticOffset += count;
                return count;
            }

            if (_rawLength == 0)
            {
                _rawLength = await inner.ReadAsync(_raw, cancellationToken);
                _rawOffset = 0;
                if (_rawLength == 0)
                {
                    return 0;
                }
            }

            if (!_inMessage)
            {
                return Pass(destination, CommandBytes(Math.Min(destination.Length, _rawLength)));
            }

            if (!_dropping)
            {
                var count = MessageBytes(Math.Min(destination.Length, _rawLength));
                if (count > 0)
                {
                    return Pass(destination, count);
                }
            }

            Drop();
        }
    }

    /// <summary>Bytes of a command line; a line without end is not a command, and the connection is closed.</summary>
    private int CommandBytes(int available)
    {
        for (var i = 0; i < available; i++)
        {
            _lineLength = _raw[_rawOffset + i] == (byte)'\n' ? 0 : _lineLength + 1;
            if (_lineLength > MaxCommandLineBytes)
            {
                throw new IOException($"a command line longer than {MaxCommandLineBytes} bytes");
            }
        }

        return available;
    }

    /// <summary>How many of the next bytes go to the library: up to the end of the message, or to the limit.</summary>
    private int MessageBytes(int available)
    {
        var count = 0;
        while (count < available)
        {
            // The final CRLF.CRLF is not part of the message, so a message of exactly the limit still ends in time.
            if (_passed >= (long)maxMessageBytes + EndOfData.Length)
            {
                _dropping = true;
                Exceeded = true;
                break;
            }

            Step(_raw[_rawOffset + count]);
            count++;
            _passed++;
            if (_matched == EndOfData.Length)
            {
                _inMessage = false;
                _lineLength = 0;
                break;
            }
        }

        return count;
    }

    /// <summary>Drops the rest of a message past the limit; at its final dot, hands the library an end of data.</summary>
    private void Drop()
    {
        while (_rawLength > 0)
        {
            Step(_raw[_rawOffset]);
            _rawOffset++;
            _rawLength--;
            if (_matched == EndOfData.Length)
            {
                _inMessage = false;
                _dropping = false;
                _lineLength = 0;
                _synthetic = EndOfData;
                _syntheticOffset = 0;
                return;
            }
        }
    }

    private int Pass(Memory<byte> destination, int count)
    {
        _raw.AsMemory(_rawOffset, count).CopyTo(destination);
        _rawOffset += count;
        _rawLength -= count;
        return count;
    }

    private void Step(byte b) =>
        _matched = b == EndOfData[_matched] ? _matched + 1 : b == (byte)'\r' ? 1 : 0;

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
