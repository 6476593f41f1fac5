package dev.numpack.checkpoint;

import dev.numpack.NumPackException;
import dev.numpack.StoreIOException;
import dev.numpack.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of checkpoints: names, the lock, and the renames that make a checkpoint appear whole.
 *
 * <p>A checkpoint is written as {@code .tmp-checkpoint-<step>-<token>}, made durable, then renamed to
 * {@code checkpoint-<step>} and the directory synced: a reader sees either no checkpoint of that step or
 * all of it. Replacing a checkpoint of the same step first renames the old one to
 * {@code .old-checkpoint-<step>-<token>}; deleting renames to {@code .del-checkpoint-<step>-<token>} before
 * removing files (a replaced checkpoint, once its replacement is in place, is renamed from {@code .old-} to
 * {@code .del-} too). The rename (and the directory sync after it) is what makes a delete or replace durable;
 * the files of a {@code .del-} tree are then removed by one background thread, so that freeing the blocks of
 * a large checkpoint (about 40 ms for 120 MB on ext4) does not hold up the save that pruned it.
 * {@link #close()} waits for that thread. When the manager opens the directory, it finishes what a crash
 * interrupted: temporary and deleted trees are removed, and an old checkpoint whose replacement never appeared is put back. A
 * checkpoint found damaged on restore is renamed aside ({@code damaged-checkpoint-<step>-<token>}), not
 * deleted. Nothing else in the directory is ever touched.
 */
final class CheckpointDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointDirectory.class);
    static final String PREFIX = "checkpoint-";
    private static final Pattern FINAL = Pattern.compile("checkpoint-(\\d{12,18})");
    private static final Pattern TEMP = Pattern.compile("\\.(tmp|del)-checkpoint-\\d{12,18}-[0-9a-f]{16}");
    private static final Pattern OLD = Pattern.compile("\\.old-checkpoint-(\\d{12,18})-[0-9a-f]{16}");
    private static final String LOCK = ".numpack-checkpoints.lock";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Directories (real paths) held by a manager of this JVM. */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final Path key;
    private final boolean durable;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private ExecutorService remover; // made on first use; removes trees renamed away

    private CheckpointDirectory(Path dir, Path key, boolean durable, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.durable = durable;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating) the directory, takes its lock and finishes interrupted operations.
     *
     * @throws CheckpointException if another manager holds the directory, or on I/O failure
     */
    static CheckpointDirectory open(Path dir, boolean durable) {
        Path key;
        try {
            boolean existed = Files.isDirectory(dir);
            Files.createDirectories(dir);
            if (!existed && durable && dir.toAbsolutePath().getParent() != null) {
                AtomicFiles.syncDirectory(dir.toAbsolutePath().getParent()); // the new directory's entry survives a power loss
            }
            key = dir.toRealPath();
        } catch (IOException | NumPackException e) {
            throw new CheckpointException(dir, null, "cannot open the checkpoint directory: " + e, e);
        }
        // Checked before any channel on the lock file is opened: closing a second channel of this JVM on
        // that file would release the first one's OS lock (POSIX locks are per process, per file).
        if (!HELD.add(key)) {
            throw new CheckpointException(dir, null, "another CheckpointManager of this JVM holds this directory",
                    null);
        }
        FileChannel ch = null;
        try {
            Path lockFile = dir.resolve(LOCK);
            if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
                // opening a pipe for writing blocks until a reader comes, maybe for ever; a device is not ours
                throw new CheckpointException(lockFile, null, "the lock file " + lockFile
                        + " is not a regular file (a pipe, device, directory or link): refusing to open it", null);
            }
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock l = ch.tryLock();
            if (l == null) {
                throw new CheckpointException(dir, null, "another process's CheckpointManager holds this directory",
                        null);
            }
            CheckpointDirectory d = new CheckpointDirectory(dir, key, durable, ch, l);
            d.recover();
            return d;
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof CheckpointException) {
                throw (CheckpointException) e;
            }
            throw new CheckpointException(dir, null, "cannot open the checkpoint directory: " + e, e);
        }
    }

    Path path() {
        return dir;
    }

    static String name(long step) {
        return PREFIX + String.format(Locale.ROOT, "%012d", step);
    }

    /** @return the step a final checkpoint name stands for, or -1 if it is not one */
    static long stepOf(String fileName) {
        Matcher m = FINAL.matcher(fileName);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** @return a fresh temporary directory path for a checkpoint of {@code step} (not created) */
    Path newTemp(long step) {
        return dir.resolve(".tmp-" + name(step) + "-" + token());
    }

    /** @return the final checkpoints' directories, by name (not checked) */
    List<Path> finals() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (FINAL.matcher(p.getFileName().toString()).matches()
                        && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * Renames a complete temporary checkpoint to its final name, replacing one of the same step, and
     * syncs the directory.
     *
     * @return the final path
     */
    Path publish(Path temp, long step) throws IOException {
        Path target = dir.resolve(name(step));
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = dir.resolve(".old-" + name(step) + "-" + token());
            move(target, old);
        }
        try {
            move(temp, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target); // the previous checkpoint of this step stays in place
            }
            throw e;
        }
        Path gone = null;
        if (old != null) {
            // never leave an .old- tree to the background: recovery would put it back if its step went missing
            gone = dir.resolve(".del-" + name(step) + "-" + token());
            move(old, gone);
        }
        syncDir(); // the renames are durable together; after a crash, recovery completes any prefix of them
        if (gone != null) {
            removeLater(gone);
        }
        return target;
    }

    /**
     * Moves a damaged checkpoint aside, to {@code damaged-checkpoint-<step>-<token>}: it no longer counts as
     * a checkpoint (for "latest" or keep-last), and is kept for inspection, not deleted.
     *
     * @return where it went
     */
    Path quarantine(Path checkpoint) throws IOException {
        long step = stepOf(checkpoint.getFileName().toString());
        if (step < 0 || !checkpoint.getParent().equals(dir)) {
            throw new IllegalArgumentException("not a checkpoint of " + dir + ": " + checkpoint);
        }
        Path aside = dir.resolve("damaged-" + name(step) + "-" + token());
        move(checkpoint, aside);
        syncDir();
        return aside;
    }

    /** Removes a checkpoint: renamed away first, so that a crash never leaves half of one under its name. */
    void delete(Path checkpoint) throws IOException {
        long step = stepOf(checkpoint.getFileName().toString());
        if (step < 0 || !checkpoint.getParent().equals(dir)) {
            throw new IllegalArgumentException("not a checkpoint of " + dir + ": " + checkpoint);
        }
        Path gone = dir.resolve(".del-" + name(step) + "-" + token());
        move(checkpoint, gone);
        syncDir();
        removeLater(gone);
    }

    /**
     * Removes a tree renamed away ({@code .del-}) in the background. A failure is logged:
     * the tree is no checkpoint any more, and the next open removes what is left of it.
     */
    private synchronized void removeLater(Path tree) {
        if (remover == null) {
            remover = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "numpack-checkpoint-remover");
                t.setDaemon(true); // a JVM that exits mid-removal leaves a .del- tree, removed at the next open
                return t;
            });
        }
        remover.execute(() -> {
            try {
                deleteTree(tree);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not remove {} (the next open of {} removes it): {}", tree, dir, e.toString());
            }
        });
    }

    /** Waits until every tree given to {@link #removeLater} is removed; keeps an interrupt for the caller. */
    private synchronized void awaitRemovals() {
        if (remover == null) {
            return;
        }
        remover.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (remover.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
                LOG.info("still removing pruned checkpoints of {}", dir);
            } catch (InterruptedException e) {
                interrupted = true; // the lock must outlive the removals: wait on
            }
        }
        remover = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void recover() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (TEMP.matcher(n).matches()) {
                    LOG.info("removing {}, left by an interrupted save or delete", p);
                    deleteTree(p);
                    continue;
                }
                Matcher old = OLD.matcher(n);
                if (old.matches()) {
                    Path target = dir.resolve(name(Long.parseLong(old.group(1))));
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(p);
                    } else {
                        LOG.warn("putting back {}: its replacement was interrupted", target);
                        move(p, target);
                        syncDir();
                    }
                }
            }
        }
    }

    private void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename " + from + " atomically", e);
        }
    }

    /**
     * Makes the renames done in the directory durable (when durable).
     *
     * @throws StoreIOException if the fsync fails
     */
    void syncDir() {
        if (durable) {
            AtomicFiles.syncDirectory(dir);
        }
    }

    /** Deletes a tree without following links (a link is deleted, not its target). */
    static void deleteTree(Path root) throws IOException {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        }
    }

    private static String token() {
        return String.format(Locale.ROOT, "%016x", RANDOM.nextLong());
    }

    @Override
    public void close() throws IOException {
        awaitRemovals(); // removals, like every change here, happen while this manager holds the lock
        try {
            lock.release();
        } finally {
            try {
                lockChannel.close();
            } finally {
                HELD.remove(key);
            }
        }
    }
}
