package dev.numpack.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A range of a file as an input stream, read by position so that several streams can share one channel.
 * Closing the stream leaves the channel open: its owner closes it.
 */
final class ChannelInputStream extends InputStream {
    private final FileChannel channel;
    private final long end;
    private long position;

    /**
     * @param channel the file
     * @param start the first byte of the range
     * @param length the range's bytes
     */
    ChannelInputStream(FileChannel channel, long start, long length) {
        this.channel = channel;
        this.position = start;
        this.end = start + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= end) {
            return -1;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
        if (n > 0) {
            position += n;
        }
        return n;
    }
}
