package dev.numpack.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncGroup}: takes over written channels, fsyncs and closes them, reports every failure once all end. */
class SyncGroupTest {
    @TempDir
    Path dir;

    private FileChannel written(String name, int value) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(new byte[] {(byte) value}));
        return ch;
    }

    @Test
    void syncsAndClosesEveryChannelByAwait() throws IOException {
        SyncGroup g = new SyncGroup(new FileOps(true));
        List<FileChannel> chs = new ArrayList<>();
        for (int i = 0; i < 3 * SyncGroup.THREADS; i++) { // more files than threads
            FileChannel ch = written("a" + i, i);
            chs.add(ch);
            g.add(ch, dir.resolve("a" + i));
        }
        g.await();
        for (int i = 0; i < chs.size(); i++) {
            assertFalse(chs.get(i).isOpen(), "channel " + i + " closed by the group");
            assertEquals(i, Files.readAllBytes(dir.resolve("a" + i))[0]);
        }
        g.await(); // nothing pending: returns at once
    }

    @Test
    void aGroupHoldsAtMostMaxOpenFilesAndTakesMore() throws IOException {
        SyncGroup g = new SyncGroup(new FileOps(true));
        List<FileChannel> chs = new ArrayList<>();
        for (int i = 0; i < 3 * SyncGroup.MAX_OPEN; i++) { // add waits for earlier fsyncs past the bound
            FileChannel ch = written("m" + i, i);
            chs.add(ch);
            g.add(ch, dir.resolve("m" + i));
            long open = chs.stream().filter(FileChannel::isOpen).count();
            assertTrue(open <= SyncGroup.MAX_OPEN, open + " files open after adding " + (i + 1));
        }
        g.await();
        assertTrue(chs.stream().noneMatch(FileChannel::isOpen));
    }

    @Test
    void everyFailureIsReportedOnceAllHaveEnded() throws IOException {
        SyncGroup g = new SyncGroup(new FileOps(true));
        List<FileChannel> chs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            FileChannel ch = written("c" + i, i);
            chs.add(ch);
            if (i == 5 || i == 11) {
                ch.close(); // its fsync fails: ClosedChannelException
            }
            g.add(ch, dir.resolve("c" + i));
        }
        IOException e = assertThrows(IOException.class, g::await);
        assertTrue(e.getMessage().contains("fsync of " + dir.resolve("c5")), e.getMessage());
        assertEquals(1, e.getSuppressed().length, "the second failure is reported too");
        assertTrue(e.getSuppressed()[0].getMessage().contains(dir.resolve("c11").toString()),
                e.getSuppressed()[0].getMessage());
        for (FileChannel ch : chs) {
            assertFalse(ch.isOpen(), "every channel is closed, failed or not");
        }
    }

    @Test
    void abandonWaitsForEveryFsyncAndDropsFailures() throws IOException {
        SyncGroup g = new SyncGroup(new FileOps(true));
        FileChannel ok = written("d0", 0);
        FileChannel bad = written("d1", 1);
        bad.close();
        g.add(ok, dir.resolve("d0"));
        g.add(bad, dir.resolve("d1"));
        g.abandon();
        assertFalse(ok.isOpen(), "abandon returns only when every fsync has ended");
    }

    @Test
    void notDurableClosesAtOnceAndSyncsNothing() throws IOException {
        SyncGroup g = new SyncGroup(new FileOps(false));
        FileChannel ch = written("e", 7);
        g.add(ch, dir.resolve("e"));
        assertFalse(ch.isOpen(), "closed by add, no fsync queued");
        g.await();
    }

    @Test
    void awaitKeepsTheCallersInterrupt() throws IOException {
        SyncGroup g = new SyncGroup(new FileOps(true));
        FileChannel ch = written("f", 1);
        g.add(ch, dir.resolve("f"));
        Thread.currentThread().interrupt();
        try {
            g.await();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is deferred, not swallowed");
        } finally {
            Thread.interrupted();
        }
        assertFalse(ch.isOpen());
    }
}
