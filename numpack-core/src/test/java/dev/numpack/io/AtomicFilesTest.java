package dev.numpack.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.InvalidArgumentException;
import dev.numpack.StoreIOException;
import dev.numpack.internal.store.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable replacement: the file is fsynced before the rename, the directory after it, a failure before
 * the rename leaves the target as it was and no temporary file. The fsyncs go through a recorder that also
 * looks at the directory at the moment of each call, so the order of the steps is checked, not assumed.
 */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private final List<String> calls = new ArrayList<>();

    /** Records each fsync with what the target holds at that moment, then does it; or fails on request. */
    private final class Recorder implements FileOps.Fsync {
        private final Path target;
        private final boolean failFile;
        private final boolean failDirectory;

        Recorder(Path target, boolean failFile, boolean failDirectory) {
            this.target = target;
            this.failFile = failFile;
            this.failDirectory = failDirectory;
        }

        @Override
        public void file(FileChannel ch, Path file, boolean metadata) throws IOException {
            calls.add("file, target holds '" + content(target) + "', temps " + temps());
            if (failFile) {
                throw new IOException("injected file fsync failure");
            }
            FileOps.OS.file(ch, file, metadata);
        }

        @Override
        public void mapped(MappedByteBuffer map, Path file, long mapStart, int index, int length) throws IOException {
            throw new AssertionError("AtomicFiles maps nothing");
        }

        @Override
        public void directory(Path d) throws IOException {
            calls.add("directory " + d.getFileName() + ", target holds '" + content(target) + "', temps " + temps());
            if (failDirectory) {
                throw new IOException("injected directory fsync failure");
            }
            FileOps.OS.directory(d);
        }
    }

    private FileOps ops(Path target, boolean failFile, boolean failDirectory) {
        return new FileOps(true, new Recorder(target, failFile, failDirectory));
    }

    @Test
    void writeFsyncsTheFileThenRenamesThenFsyncsTheDirectory() throws IOException {
        Path target = dir.resolve("t.bin");
        Files.writeString(target, "old");
        AtomicFiles.write(ops(target, false, false), target, out -> out.write(bytes("new")));
        assertReplacedInOrder(target, "new");
    }

    /** The file was fsynced while the target still held 'old', the directory after the rename; no temp is left. */
    private void assertReplacedInOrder(Path target, String now) throws IOException {
        assertEquals(now, content(target));
        assertEquals(List.of("file, target holds 'old', temps 1", "directory " + dir.getFileName()
                + ", target holds '" + now + "', temps 0"), calls);
        assertEquals(List.of(target), listDir());
    }

    @Test
    void writeCreatesAMissingTarget() throws IOException {
        Path target = dir.resolve("fresh.bin");
        AtomicFiles.write(target, out -> out.write(bytes("first")));
        assertEquals("first", content(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void aFailingWriterLeavesTheTargetAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("t.bin");
        Files.writeString(target, "old");
        IOException cause = new IOException("encoder failed");
        StoreIOException e = assertThrows(StoreIOException.class,
                () -> AtomicFiles.write(ops(target, false, false), target, out -> {
                    out.write(bytes("half of the new"));
                    out.flush();
                    throw cause;
                }));
        assertEquals(cause, e.getCause());
        assertEquals(target, e.store());
        assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
        assertEquals("old", content(target));
        assertEquals(List.of(target), listDir());
        assertEquals(List.of(), calls, "nothing to fsync when the content failed");
    }

    @Test
    void aFailingFileFsyncLeavesTheTargetAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("t.bin");
        Files.writeString(target, "old");
        StoreIOException e = assertThrows(StoreIOException.class,
                () -> AtomicFiles.write(ops(target, true, false), target, out -> out.write(bytes("new"))));
        assertTrue(e.getCause().getMessage().contains("injected file fsync failure"), e.getMessage());
        assertEquals("old", content(target));
        assertEquals(List.of(target), listDir());
        assertEquals(1, calls.size(), "no rename, so no directory fsync: " + calls);
    }

    @Test
    void aFailingRenameLeavesTheTargetAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("busy");
        Files.createDirectory(target);
        Files.writeString(target.resolve("inside"), "kept");
        StoreIOException e = assertThrows(StoreIOException.class,
                () -> AtomicFiles.write(ops(target, false, false), target, out -> out.write(bytes("new"))));
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(Files.isDirectory(target));
        assertEquals("kept", content(target.resolve("inside")));
        assertEquals(List.of(target), listDir());
        assertEquals(1, calls.size(), "the file was fsynced, the directory not: " + calls);
    }

    @Test
    void aFailingDirectoryFsyncSaysTheNewFileIsInPlace() throws IOException {
        Path target = dir.resolve("t.bin");
        Files.writeString(target, "old");
        StoreIOException e = assertThrows(StoreIOException.class,
                () -> AtomicFiles.write(ops(target, false, true), target, out -> out.write(bytes("new"))));
        assertTrue(e.getMessage().contains("in place") && e.getMessage().contains("power loss"), e.getMessage());
        assertEquals("new", content(target));
        assertEquals(List.of(target), listDir());
    }

    /** An old target, and a temporary file beside it written through the returned channel, as a writer does. */
    private FileChannel streamedBeside(Path target, Path temp) throws IOException {
        Files.writeString(target, "old");
        FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(bytes("streamed")));
        return ch;
    }

    @Test
    void commitPutsAWriterCompletedTemporaryFileInPlace() throws IOException {
        Path target = dir.resolve("t.npy");
        Path temp = AtomicFiles.tempBeside(target);
        FileChannel ch = streamedBeside(target, temp);
        AtomicFiles.commit(ops(target, false, false), ch, temp, target);
        assertFalse(ch.isOpen());
        assertReplacedInOrder(target, "streamed");
    }

    @Test
    void aFailedCommitClosesTheChannelAndRemovesTheTemporaryFile() throws IOException {
        Path target = dir.resolve("t.npy");
        Path temp = AtomicFiles.tempBeside(target);
        FileChannel ch = streamedBeside(target, temp);
        assertThrows(StoreIOException.class, () -> AtomicFiles.commit(ops(target, true, false), ch, temp, target));
        assertFalse(ch.isOpen());
        assertEquals("old", content(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void syncDirectoryFsyncsTheDirectoryAndTypesItsFailure() throws IOException {
        Path target = dir.resolve("t.bin");
        AtomicFiles.syncDirectory(ops(target, false, false), dir);
        assertEquals(List.of("directory " + dir.getFileName() + ", target holds '', temps 0"), calls);
        AtomicFiles.syncDirectory(dir); // the operating system's, for real

        Path missing = dir.resolve("missing");
        StoreIOException e = assertThrows(StoreIOException.class, () -> AtomicFiles.syncDirectory(missing));
        assertEquals(missing, e.store());
    }

    @Test
    void aTemporaryFileLiesBesideItsTargetUnderAFreshName() {
        Path target = dir.resolve("x.npy");
        Path a = AtomicFiles.tempBeside(target);
        Path b = AtomicFiles.tempBeside(target);
        assertEquals(dir, a.getParent());
        assertTrue(a.getFileName().toString().matches("x\\.npy\\.tmp-[0-9a-f]+"), a.toString());
        assertFalse(a.equals(b));
        assertThrows(InvalidArgumentException.class, () -> AtomicFiles.tempBeside(dir.getRoot()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String content(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            return "a directory";
        }
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private long temps() throws IOException {
        return listDir().stream().filter(p -> p.getFileName().toString().contains(".tmp-")).count();
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }
}
