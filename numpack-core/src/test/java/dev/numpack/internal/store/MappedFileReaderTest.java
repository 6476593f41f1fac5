package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedFile}'s kept channel: large copies into direct buffers read through it, give the mapping's
 * bytes at any offset, and fall back to the mapping once it is closed or an interrupt closes it.
 */
class MappedFileReaderTest {
    @TempDir
    Path dir;

    private static final int LEN = 5 * MappedFile.PREAD_PIECE + 12_345; // several pieces and a ragged end

    private byte[] content;
    private Path file;

    private MappedFile mapped(boolean keep) throws IOException {
        content = new byte[LEN];
        new Random(7).nextBytes(content);
        file = Files.write(dir.resolve("data.npkd"), content);
        return MappedFile.map(file, LEN, FileChannel.MapMode.READ_ONLY, MappedFile.chunkFor(1), keep);
    }

    private void assertCopies(MappedFile f, long offset, int len, boolean direct) {
        ByteBuffer dst = direct ? ByteBuffer.allocateDirect(len + 10) : ByteBuffer.allocate(len + 10);
        dst.position(3); // copies land at the buffer's position
        f.copyTo(offset, len, dst);
        assertEquals(3 + len, dst.position(), "position advanced by the bytes copied");
        for (int i = 0; i < len; i++) {
            if (dst.get(3 + i) != content[(int) offset + i]) {
                throw new AssertionError("byte " + i + " of [" + offset + ", +" + len + ") differs");
            }
        }
    }

    @Test
    void largeCopiesReadTheFilesBytesAtAnyOffset() throws IOException {
        MappedFile f = mapped(true);
        assertTrue(f.hasReader(), "a file of at least READER_MIN_BYTES keeps its channel when asked");
        assertCopies(f, 0, LEN, true);
        assertCopies(f, 1, LEN - 1, true);
        assertCopies(f, MappedFile.PREAD_PIECE - 7, 3 * MappedFile.PREAD_PIECE + 11, true);
        assertCopies(f, 100, (int) MappedFile.PREAD_MIN_BYTES, true);
        assertCopies(f, 5, 1000, true); // small: from the mapping
        assertCopies(f, 0, LEN, false); // heap: from the mapping (no temporary direct buffer)
        assertTrue(f.hasReader());
        f.closeReader();
        assertFalse(f.hasReader());
        assertCopies(f, 0, LEN, true); // the mapping serves after close
        f.closeReader(); // twice is harmless
    }

    @Test
    void aCopyLargerThanTheDestinationWritesNothing() throws IOException {
        MappedFile f = mapped(true);
        ByteBuffer dst = ByteBuffer.allocateDirect(LEN);
        dst.limit(LEN - 1);
        org.junit.jupiter.api.Assertions.assertThrows(java.nio.BufferOverflowException.class, () -> f.copyTo(0, LEN, dst));
        assertEquals(0, dst.position());
        ByteBuffer all = dst.duplicate().clear(); // past the limit too: nothing written there either
        for (int i = 0; i < LEN; i++) {
            if (all.get(i) != 0) {
                throw new AssertionError("byte " + i + " written although the copy was refused");
            }
        }
    }

    @Test
    void noChannelIsKeptUnlessAskedOrForSmallOrPrivateMappings() throws IOException {
        assertFalse(mapped(false).hasReader());
        Path small = Files.write(dir.resolve("small"), new byte[(int) MappedFile.READER_MIN_BYTES - 1]);
        assertFalse(MappedFile.map(small, MappedFile.READER_MIN_BYTES - 1, FileChannel.MapMode.READ_ONLY,
                MappedFile.chunkFor(1), true).hasReader());
        assertFalse(MappedFile.map(file, LEN, FileChannel.MapMode.PRIVATE, MappedFile.chunkFor(1), true).hasReader());
    }

    @Test
    void anInterruptedReadFallsBackToTheMappingAndKeepsTheInterrupt() throws Exception {
        MappedFile f = mapped(true);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                Thread.currentThread().interrupt(); // the channel read closes the channel at once
                assertCopies(f, 0, LEN, true);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.start();
        t.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        assertTrue(stillInterrupted.get(), "the caller's interrupt is not swallowed");
        assertFalse(f.hasReader(), "the closed channel is dropped");
        assertCopies(f, 0, LEN, true);
    }

    @Test
    void closingTheChannelDuringReadsLosesNoBytes() throws Exception {
        MappedFile f = mapped(true);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread[] readers = new Thread[4];
        for (int i = 0; i < readers.length; i++) {
            int seed = i;
            readers[i] = new Thread(() -> {
                Random r = new Random(seed);
                try {
                    for (int k = 0; k < 40; k++) {
                        int len = (int) MappedFile.PREAD_MIN_BYTES + r.nextInt(2 * MappedFile.PREAD_PIECE);
                        assertCopies(f, r.nextInt(LEN - len), len, true);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            readers[i].start();
        }
        Thread.sleep(5);
        f.closeReader(); // mid-read for some: AsynchronousCloseException, then the mapping
        for (Thread t : readers) {
            t.join();
        }
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
        assertFalse(f.hasReader());
    }
}
