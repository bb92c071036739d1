using System.Globalization;
using System.Text;

namespace Fledge.Cli.Client;

/// <summary>
/// An HTTP/1.1 response read from a stream: the status line and headers, then the body as a stream that ends where
/// the message ends (Content-Length, chunked transfer coding, or the connection closing).
/// </summary>
internal sealed class HttpResponse
{
    private const int MaxHead = 64 * 1024;

    public HttpResponse(int status, string reason, Stream body)
    {
        Status = status;
        Reason = reason;
        Body = body;
    }

    public int Status { get; }

    public string Reason { get; }

    public Stream Body { get; }

    public static async Task<HttpResponse> ReadAsync(Stream stream, CancellationToken cancel)
    {
        var buffered = new BufferedReader(stream);
        var statusLine = await buffered.ReadLineAsync(cancel) ?? throw new EndOfStreamException("no response");
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException($"not an HTTP response: \"{statusLine}\"");
        }

        long? length = null;
        var chunked = false;
        while (await buffered.ReadLineAsync(cancel) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var (name, value) = (header[..colon].Trim(), header[(colon + 1)..].Trim());
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        Stream body = chunked ? new ChunkedStream(buffered) : new BodyStream(buffered, length);
        return new HttpResponse(status, parts.Length > 2 ? parts[2] : "", body);
    }

    /// <summary>Reads lines and bytes from a stream through one buffer, so that nothing read past the head is lost.</summary>
    private sealed class BufferedReader(Stream stream) : IDisposable
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;
        private int _headRead;

        public async Task<string?> ReadLineAsync(CancellationToken cancel)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancel))
                {
                    return line.Length > 0 ? line.ToString() : null;
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var stop = newline < 0 ? _end : newline;
                line.Append(Encoding.ASCII.GetString(_buffer, _start, stop - _start));
                _headRead += stop - _start;
                if (_headRead > MaxHead)
                {
                    throw new IOException("the response head is too long");
                }

                if (newline >= 0)
                {
                    _start = newline + 1;
                    return line.ToString().TrimEnd('\r');
                }

                _start = _end;
            }
        }

        public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancel)
        {
            if (_start == _end && !await FillAsync(cancel))
            {
                return 0;
            }

            var count = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(destination);
            _start += count;
            return count;
        }

        public void Dispose() => stream.Dispose();

        private async Task<bool> FillAsync(CancellationToken cancel)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancel);
            return _end > 0;
        }
    }

    /// <summary>A body of a known length, or one that ends when the connection closes.</summary>
    private sealed class BodyStream(BufferedReader connection, long? length) : ReadOnlyStream(connection)
    {
        private long _left = length ?? long.MaxValue;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0 || buffer.Length == 0)
            {
                return 0;
            }

            var read = await Connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            if (read == 0 && length is not null)
            {
                throw new EndOfStreamException($"the connection closed {_left} bytes before the end of the answer");
            }

            _left -= read;
            return read;
        }
    }

    /// <summary>A body in the chunked transfer coding: size lines in hex, each chunk, a zero-size chunk at the end.</summary>
    private sealed class ChunkedStream(BufferedReader connection) : ReadOnlyStream(connection)
    {
        private long _left;
        private bool _done;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_done || buffer.Length == 0)
            {
                return 0;
            }

            if (_left == 0)
            {
                var size = await Connection.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the connection closed in the middle of the answer");
                if (size.Length == 0)
                {
                    // The CRLF that ends the previous chunk.
                    size = await Connection.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("the connection closed in the middle of the answer");
                }

                var semicolon = size.IndexOf(';', StringComparison.Ordinal);
                _left = long.Parse(semicolon < 0 ? size : size[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (_left == 0)
                {
                    _done = true;
                    return 0;
                }
            }

            var read = await Connection.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("the connection closed in the middle of the answer");
            }

            _left -= read;
            return read;
        }
    }

    /// <summary>What a body stream does not do (write, seek), and the connection it closes when disposed.</summary>
    private abstract class ReadOnlyStream(BufferedReader connection) : Stream
    {
        protected BufferedReader Connection { get; } = connection;

        public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Connection.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
