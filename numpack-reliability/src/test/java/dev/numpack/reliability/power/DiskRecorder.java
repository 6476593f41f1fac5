package dev.numpack.reliability.power;

import dev.numpack.internal.store.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The fault-injecting layer of the power-loss simulation: installed through {@link FileOps#installForTests}, it
 * sees every fsync of the engine, of {@code AtomicFiles} and so of checkpoints, and keeps what a power loss could
 * not take away: for each file (by identity, the inode) its bytes at its last fsync, and for each directory (by
 * identity) its listing at its last fsync. Everything under the watched tree when recording starts counts as
 * durable.
 *
 * <p>At each fsync of the watched tree, just before it takes effect, it captures a {@link DiskImage} (durable state
 * plus current state) and hands it to the listener: the crash states a power loss at that instant may leave are
 * built from it. {@link #capture} takes one between operations too.
 *
 * <p>Identity: a file keeps its identity across renames, and a file's identity is never reused, because the
 * recorder keeps a read channel open on every file and directory it has seen (Linux frees an inode number only
 * when nothing holds it). The same channels give the last content of a file deleted since, which a power loss
 * may bring back. Lock files are never opened (closing a second channel on a locked file would release the
 * lock): they are empty and stay so.
 *
 * <p>Writes through a mapping ({@code MappedByteBuffer}, as the append log makes them) are in the page cache
 * like any other write, so the recorder's reads see them in the current state; they are durable only as far
 * as a range sync ({@link FileOps#syncMapped}, {@code msync}) reached: such a sync makes the synced range's
 * current bytes durable and nothing else of the file (elsewhere the file keeps its durable bytes, zeros where it
 * had none), whereas a whole-file fsync makes every byte durable, mapped or written.
 *
 * <p>The recorder's model is the durability that counts here, so fsyncs of the watched tree are recorded, not
 * passed on to the device, and fsyncs in the scratch tree (where the states being checked are built and thrown
 * away) are skipped: a device flush per event would only slow the run (on a busy disk, tenfold). Fsyncs of
 * anything else go to the operating system.
 */
final class DiskRecorder implements FileOps.Fsync, AutoCloseable {
    /** Names the recorder never opens: the writer locks of a store and of a checkpoint directory. */
    static final Set<String> LOCK_FILES = Set.of(".numpack.lock", ".numpack-checkpoints.lock");

    private final Path root;
    private final Path scratch;
    private final Object rootKey;
    private final Map<Object, FileChannel> held = new HashMap<>();
    private final Map<Object, byte[]> durableFiles = new HashMap<>();
    private final Map<Object, Map<String, DiskImage.Entry>> durableDirs = new HashMap<>();
    private final AutoCloseable seam;
    private Consumer<DiskImage> listener = image -> { };
    private String dropped; // label prefix of the syncs that take no effect, or null

    /**
     * Starts recording: the tree under {@code root} as it is now is durable.
     *
     * @param root the watched tree (a store or a checkpoint directory), existing
     * @param scratch where states are materialised: fsyncs there are skipped
     */
    DiskRecorder(Path root, Path scratch) throws IOException {
        this.root = root.toRealPath();
        this.scratch = scratch.toAbsolutePath().normalize();
        this.rootKey = key(this.root);
        DiskImage start = capture("start");
        durableFiles.putAll(start.currentFiles());
        durableDirs.putAll(start.currentDirs());
        this.seam = FileOps.installForTests(this);
    }

    /**
     * A fault of the writer under test, for the tests that show the simulation catches it: from now on, a sync of
     * the watched tree whose label starts with {@code labelPrefix} takes no effect, as if the code never made it
     * (nothing becomes durable, no instant is recorded).
     *
     * @param labelPrefix how the labels of the dropped syncs start ("msync numpack.appends", "fsync dir .")
     */
    synchronized void drop(String labelPrefix) {
        this.dropped = labelPrefix;
    }

    private boolean dropped(String label) {
        return dropped != null && label.startsWith(dropped);
    }

    /** @param listener called with the image of each fsync of the watched tree, before that fsync */
    synchronized void onFsync(Consumer<DiskImage> listener) {
        this.listener = listener;
    }

    @Override
    public void file(FileChannel ch, Path file, boolean metadata) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (abs.startsWith(scratch)) {
            return;
        }
        if (!abs.startsWith(root)) {
            FileOps.OS.file(ch, file, metadata);
            return;
        }
        synchronized (this) {
            String label = "fsync " + root.relativize(abs);
            if (dropped(label)) {
                return;
            }
            listener.accept(capture(label));
            Object k = key(abs);
            durableFiles.put(k, read(held(k, abs)));
        }
    }

    @Override
    public void mapped(MappedByteBuffer map, Path file, long mapStart, int index, int length) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        if (abs.startsWith(scratch)) {
            return;
        }
        if (!abs.startsWith(root)) {
            FileOps.OS.mapped(map, file, mapStart, index, length);
            return;
        }
        synchronized (this) {
            long from = mapStart + index;
            String label = "msync " + root.relativize(abs) + " [" + from + ", " + (from + length) + ")";
            if (dropped(label)) {
                return;
            }
            listener.accept(capture(label));
            Object k = key(abs);
            durableFiles.put(k, rangeSynced(durableFiles.get(k), read(held(k, abs)), from, length));
        }
    }

    /**
     * @param durable the file's durable bytes before a range sync, or {@code null} if it had none
     * @param current its bytes now
     * @param from the range's first byte in the file
     * @param length the range's length
     * @return its durable bytes after the sync: the durable ones with the range's current bytes over them, as
     *     long as the durable ones or as the range's end (within the current file), zeros where nothing was
     */
    static byte[] rangeSynced(byte[] durable, byte[] current, long from, int length) {
        byte[] was = durable == null ? new byte[0] : durable;
        int end = (int) Math.min(current.length, from + length);
        byte[] out = java.util.Arrays.copyOf(was, Math.max(was.length, end));
        if (from < end) {
            System.arraycopy(current, (int) from, out, (int) from, end - (int) from);
        }
        return out;
    }

    @Override
    public void directory(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.startsWith(scratch)) {
            return;
        }
        if (!abs.startsWith(root)) {
            FileOps.OS.directory(dir);
            return;
        }
        synchronized (this) {
            String label = "fsync dir " + (abs.equals(root) ? "." : root.relativize(abs));
            if (dropped(label)) {
                return;
            }
            listener.accept(capture(label));
            durableDirs.put(key(abs), listing(abs));
        }
    }

    /**
     * @param label what the moment is (for messages)
     * @return the durable and the current state of the watched tree now
     */
    synchronized DiskImage capture(String label) throws IOException {
        Map<Object, Map<String, DiskImage.Entry>> dirs = new HashMap<>();
        Map<Object, byte[]> files = new HashMap<>();
        walk(root, rootKey, dirs, files);
        for (Map.Entry<Object, FileChannel> h : held.entrySet()) {
            if (!files.containsKey(h.getKey()) && !dirs.containsKey(h.getKey()) && durableFiles.containsKey(h.getKey())) {
                files.put(h.getKey(), read(h.getValue())); // deleted since: a power loss may bring it back
            }
        }
        return new DiskImage(label, rootKey, new HashMap<>(durableDirs), new HashMap<>(durableFiles), dirs, files);
    }

    /** Lists {@code dir} and, recursively, its subdirectories, and reads every file. */
    private void walk(Path dir, Object dirKey, Map<Object, Map<String, DiskImage.Entry>> dirs, Map<Object, byte[]> files)
            throws IOException {
        Map<String, DiskImage.Entry> listing = listing(dir);
        dirs.put(dirKey, listing);
        for (Map.Entry<String, DiskImage.Entry> e : listing.entrySet()) {
            Path p = dir.resolve(e.getKey());
            if (e.getValue().dir()) {
                walk(p, e.getValue().key(), dirs, files);
            } else {
                files.put(e.getValue().key(), LOCK_FILES.contains(e.getKey()) ? new byte[0] : readHeld(e.getValue().key(), p));
            }
        }
    }

    /** @return the names of {@code dir}'s files and subdirectories (links and others are not the store's) */
    private Map<String, DiskImage.Entry> listing(Path dir) throws IOException {
        Map<String, DiskImage.Entry> listing = new TreeMap<>();
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            held(key(dir), dir);
            ds.forEach(children::add);
        } catch (NoSuchFileException e) {
            return listing; // removed meanwhile (a checkpoint's background removal): empty now
        }
        for (Path p : children) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;
            }
            if (a.isDirectory() || a.isRegularFile()) {
                listing.put(p.getFileName().toString(), new DiskImage.Entry(a.fileKey(), a.isDirectory()));
            }
        }
        return listing;
    }

    private byte[] readHeld(Object k, Path p) throws IOException {
        try {
            return read(held(k, p));
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    private FileChannel held(Object k, Path p) throws IOException {
        FileChannel ch = held.get(k);
        if (ch == null) {
            ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            held.put(k, ch);
        }
        return ch;
    }

    private static byte[] read(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE) {
            throw new IOException("a file of " + size + " bytes is too large for the simulation");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        FileOps.readFully(ch, b, 0);
        return b.array();
    }

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Stops recording: the operating system's fsync again; every held channel closed. */
    @Override
    public synchronized void close() throws Exception {
        seam.close();
        for (FileChannel ch : held.values()) {
            ch.close();
        }
        held.clear();
    }
}
