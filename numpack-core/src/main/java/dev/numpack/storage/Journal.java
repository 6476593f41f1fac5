package dev.numpack.storage;

import dev.numpack.CorruptStoreException;
import dev.numpack.format.FormatException;
import dev.numpack.format.JournalCodec;
import dev.numpack.format.JournalCodec.Action;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes a change of several files atomic: a redo journal is the single commit point.
 *
 * <p>A commit (1) expects every new data file to be written and fsynced already under a temporary name,
 * (2) writes the journal (actions + checksum) to a temp file, fsyncs it and renames it to
 * {@code numpack.journal}, fsyncing the directory: from here the change is committed; (3) applies the
 * actions (renames, small-file puts, positional writes, deletes), fsyncs what they touched, and
 * (4) deletes the journal. A crash before (2) completes leaves a journal that is absent or fails its
 * checksum: the change never happened, and temp files are swept later. A crash after (2) leaves a valid
 * journal that {@link #recover()} applies again; every action is idempotent, so applying twice is safe.
 */
public final class Journal {
    private final StoreLayout layout;
    private final FileOps ops;

    /**
     * @param layout the store's file names
     * @param ops file primitives (durable or not)
     */
    public Journal(StoreLayout layout, FileOps ops) {
        this.layout = layout;
        this.ops = ops;
    }

    /** @return whether a journal file is present (a commit in flight or interrupted) */
    public boolean present() {
        return Files.exists(layout.path(StoreLayout.JOURNAL));
    }

    /**
     * Commits and applies the actions.
     *
     * @param actions what to do, in order
     * @throws CommitException if the journal could not be made durable (nothing changed) or if it was but
     *     applying it failed (the change is committed and the next open completes it)
     */
    public void commit(List<Action> actions) {
        Path journal = layout.path(StoreLayout.JOURNAL);
        Path tmp = layout.path(StoreLayout.tempName(StoreLayout.JOURNAL, "j"));
        try {
            ops.writeNew(tmp, JournalCodec.encode(actions));
            ops.rename(tmp, journal);
            ops.syncDir(layout.root());
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(journal);
            } catch (IOException ignored) {
                // a leftover temp journal is swept at the next open
            }
            throw new CommitException(false, e);
        }
        try {
            apply(actions);
            Files.deleteIfExists(journal);
        } catch (IOException | RuntimeException e) {
            throw new CommitException(true, e);
        }
    }

    /**
     * Completes an interrupted commit, or discards one that never committed.
     *
     * @return whether a committed journal was applied
     * @throws IOException if applying fails
     */
    public boolean recover() throws IOException {
        Path journal = layout.path(StoreLayout.JOURNAL);
        ByteBuffer bytes;
        try {
            bytes = FileOps.readAll(journal);
        } catch (NoSuchFileException e) {
            return false;
        }
        List<Action> actions;
        try {
            actions = JournalCodec.decode(bytes);
        } catch (FormatException e) {
            throw new CorruptStoreException(layout.root(), null, "journal: " + e.getMessage(), e);
        }
        if (actions != null) {
            apply(actions);
        }
        Files.deleteIfExists(journal);
        ops.syncDir(layout.root());
        return actions != null;
    }

    private void apply(List<Action> actions) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        Set<Path> written = new LinkedHashSet<>();
        for (Action a : actions) {
            Path p = layout.resolve(a.path(), null);
            switch (a.kind()) {
                case RENAME: {
                    Path to = layout.resolve(a.target(), null);
                    if (Files.exists(p)) {
                        ops.rename(p, to);
                    }
                    dirs.add(p.getParent());
                    dirs.add(to.getParent());
                    break;
                }
                case PUT:
                    Path tmp = p.resolveSibling(StoreLayout.tempName(p.getFileName().toString(), "put"));
                    ops.writeNew(tmp, a.bytes());
                    ops.rename(tmp, p);
                    dirs.add(p.getParent());
                    break;
                case PWRITE:
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        FileOps.writeFully(ch, a.bytes(), a.offset());
                    }
                    written.add(p);
                    break;
                case DELETE:
                    try {
                        Files.deleteIfExists(p);
                    } catch (DirectoryNotEmptyException e) {
                        // a directory that also holds files we did not write: leave it
                    }
                    dirs.add(p.getParent());
                    break;
                default:
                    throw new AssertionError(a.kind());
            }
        }
        for (Path p : written) {
            ops.sync(p);
        }
        for (Path d : dirs) {
            if (Files.isDirectory(d)) {
                ops.syncDir(d);
            }
        }
    }

    /** A commit failed; {@link #committed()} tells whether it had already taken effect. */
    public static final class CommitException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean committed;

        CommitException(boolean committed, Throwable cause) {
            super(committed ? "committed, but applying the journal failed: reopen the store to complete it"
                    : "not committed: " + cause.getMessage(), cause);
            this.committed = committed;
        }

        /** @return whether the change is committed (and will be completed by recovery) */
        public boolean committed() {
            return committed;
        }
    }
}
