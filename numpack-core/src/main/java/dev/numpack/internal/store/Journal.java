package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.internal.format.FormatException;
import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
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
 * <p>A commit (1) expects every new data file to be written and fsynced already, under a name no committed
 * state uses; (2) writes the journal (actions + CRC32C) over {@code numpack.journal} from offset 0 and
 * fsyncs it (and the directory, the first time the file is created): from here the change is committed;
 * (3) applies the actions (renames, small-file replacements, positional writes, deletes) and fsyncs what
 * they touched; (4) clears the journal by zeroing its magic. A crash before (2) completes leaves a journal
 * that is cleared or fails its checksum: the change never happened. A crash after it leaves a valid
 * journal that {@link #recover()} applies again; every action is idempotent, so applying twice is safe.
 *
 * <p>The clear in (4) is not fsynced: if a power loss undoes it, recovery re-applies a journal whose
 * effects are already durable, which changes nothing, because every later change of committed bytes goes
 * through a newer journal written over this one. The one exception, a commit that only replaces one small
 * file (atomic by rename, so it needs no journal), first makes the clear durable.
 */
public final class Journal {
    private final StoreLayout layout;
    private final FileOps ops;
    private boolean fileKnown;
    private boolean clearedDurably = true; // no journal on disk could still be applied after a power loss

    /**
     * @param layout the store's file names
     * @param ops file primitives (durable or not)
     */
    public Journal(StoreLayout layout, FileOps ops) {
        this.layout = layout;
        this.ops = ops;
    }

    private Path file() {
        return layout.path(StoreLayout.JOURNAL);
    }

    /** @return whether a journal that may be committed is on disk (a commit in flight or interrupted) */
    public boolean present() {
        if (layout.fileProblem(file()) != null) {
            return true; // not a file we wrote: recovery refuses it with a clear error
        }
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(4);
            FileOps.readFully(ch, head, 0);
            return JournalCodec.hasMagic(head.flip());
        } catch (IOException e) {
            return false; // missing or shorter than a magic: nothing committed
        }
    }

    /**
     * Commits and applies the actions.
     *
     * @param actions what to do, in order
     * @param newNames whether staging created files or directories in the store directory (their names
     *     are made durable before the commit point)
     * @throws CommitException if the journal could not be made durable (nothing changed) or if it was but
     *     applying it failed (the change is committed and the next open completes it)
     */
    public void commit(List<Action> actions, boolean newNames) {
        if (newNames) {
            try {
                // staged files and directories must still be there for recovery to rename them into place
                ops.syncDir(layout.root());
            } catch (IOException e) {
                throw new CommitException(false, e);
            }
        }
        try {
            validate(actions); // refuse before the commit point: a journal that cannot apply must never be durable
            refuseRenamesOntoDirectories(actions);
            String bad = layout.inPlaceWriteProblem(file());
            if (bad != null) {
                throw new CorruptStoreException(layout.root(), null, StoreLayout.JOURNAL + " " + bad);
            }
        } catch (CorruptStoreException e) {
            throw new CommitException(false, e);
        }
        if (actions.size() == 1 && actions.get(0).kind() == JournalCodec.Kind.PUT) {
            commitSinglePut(actions);
            return;
        }
        ByteBuffer bytes = JournalCodec.encode(actions);
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            try {
                FileOps.writeFully(ch, bytes, 0);
                ops.syncData(ch, file());
                if (!fileKnown) {
                    ops.syncDir(layout.root()); // the journal file's own name must be durable once
                    fileKnown = true;
                }
            } catch (IOException | RuntimeException e) {
                // the journal may be whole on disk: unless it is cleared, recovery could apply it
                try {
                    clear(ch, true);
                } catch (IOException | RuntimeException stuck) {
                    e.addSuppressed(stuck);
                    throw new CommitException(true, e);
                }
                throw new CommitException(false, e);
            }
            try {
                applyValidated(actions, false);
                clear(ch, false);
                clearedDurably = !ops.durable();
            } catch (IOException | RuntimeException e) {
                throw new CommitException(true, e);
            }
        } catch (IOException e) {
            throw new CommitException(false, e); // the journal could not even be opened
        }
    }

    /**
     * A change of one small file (an append's new metadata) is atomic by itself: temp file, fsync, rename.
     * It needs no journal, provided no older journal can come back to life and be redone over it after a
     * power loss; so a journal whose clear was not fsynced is cleared durably first (once).
     */
    private void commitSinglePut(List<Action> actions) {
        if (!clearedDurably) {
            try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
                clear(ch, true);
                clearedDurably = true;
            } catch (NoSuchFileException e) {
                clearedDurably = true;
            } catch (IOException | RuntimeException e) {
                throw new CommitException(false, e);
            }
        }
        try {
            applyValidated(actions, false);
        } catch (IOException | RuntimeException e) {
            throw new CommitException(true, e); // the rename may have happened: let recovery decide
        }
    }

    private void clear(FileChannel ch, boolean sync) throws IOException {
        FileOps.writeFully(ch, ByteBuffer.allocate(4), 0);
        if (sync) {
            ops.syncData(ch, file());
        }
    }

    /**
     * Completes an interrupted commit, or discards one that never committed.
     *
     * @return whether a committed journal was applied
     * @throws IOException if applying fails
     */
    public boolean recover() throws IOException {
        ByteBuffer bytes;
        String bad = layout.fileProblem(file());
        if (bad != null) {
            throw new CorruptStoreException(layout.root(), null, StoreLayout.JOURNAL + " " + bad);
        }
        try {
            bytes = readRecorded();
        } catch (NoSuchFileException e) {
            return false;
        }
        fileKnown = true;
        List<Action> actions = null;
        if (JournalCodec.hasMagic(bytes.duplicate())) {
            actions = decode(bytes);
        }
        if (actions != null) {
            apply(actions);
        }
        // Also when it is already cleared: that clear may be in the page cache only (a killed writer), and
        // a single-file commit skips the journal on the strength of a durable clear.
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            clear(ch, ops.durable());
        }
        clearedDurably = true;
        return actions != null;
    }

    /**
     * The journal's header and, when it records a journal the file can hold, that journal: never the bytes
     * past it, which are an older journal's or, in a damaged file, any amount of anything. A committed
     * journal of a large commit is read whole and needs that much memory (a commit writes at most 2 GiB).
     */
    private ByteBuffer readRecorded() throws IOException {
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate((int) Math.min(ch.size(), JournalCodec.HEADER_BYTES));
            FileOps.readFully(ch, header, 0);
            long length = JournalCodec.recordedLength(header.flip());
            if (length < 0 || length > ch.size()) {
                return header; // no journal, or a torn one: decode discards it from the header alone
            }
            ByteBuffer all = ByteBuffer.allocate((int) length);
            FileOps.readFully(ch, all, 0);
            return all.flip();
        }
    }

    private List<Action> decode(ByteBuffer bytes) {
        try {
            return JournalCodec.decode(bytes);
        } catch (FormatException e) {
            throw new CorruptStoreException(layout.root(), null, "journal: " + e.getMessage(), e);
        }
    }

    /**
     * Removes a cleared journal file (at a clean close), so that a closed store holds only NumPack's files
     * and our lock.
     *
     * @throws IOException on failure
     */
    public void removeIfCleared() throws IOException {
        if (!present()) {
            Files.deleteIfExists(file());
            fileKnown = false;
        }
    }

    /** Checks every path of a journal before anything is done, so a hostile journal is never half-applied. */
    private void validate(List<Action> actions) {
        try {
            Set<String> checked = new java.util.HashSet<>(); // many row writes name the same file: stat it once
            Set<String> written = new java.util.HashSet<>();
            for (Action a : actions) {
                if (checked.add(a.path())) {
                    checkShape(a.path());
                    checkTarget(layout.resolve(a.path(), null));
                }
                if (a.kind() == JournalCodec.Kind.RENAME && checked.add(a.target())) {
                    checkShape(a.target());
                    checkTarget(layout.resolve(a.target(), null));
                }
                if (a.kind() == JournalCodec.Kind.PWRITE && a.offset() < 0) {
                    throw new CorruptStoreException(layout.root(), StoreLayout.arrayOf(a.path()), "negative offset " + a.offset());
                }
                if (a.kind() == JournalCodec.Kind.PWRITE && written.add(a.path())) {
                    String bad = layout.inPlaceWriteProblem(layout.resolve(a.path(), null));
                    if (bad != null) {
                        throw new CorruptStoreException(layout.root(), StoreLayout.arrayOf(a.path()), a.path() + " " + bad);
                    }
                }
            }
        } catch (CorruptStoreException e) {
            throw new CorruptStoreException(layout.root(), e.array(), "journal refused, nothing applied: " + e.detail(), e);
        }
    }

    /**
     * Only the path shapes this library writes: a file in the store directory, or a file directly inside a
     * {@code data_<name>_segments} directory. Deeper paths could run through a linked directory.
     */
    private void checkShape(String relative) {
        int slash = relative.indexOf('/');
        if (slash < 0) {
            return;
        }
        String dir = relative.substring(0, slash);
        if (relative.indexOf('/', slash + 1) >= 0 || !StoreLayout.isSegmentDir(dir)) {
            throw new CorruptStoreException(layout.root(), StoreLayout.arrayOf(relative),
                    "path '" + relative + "' is not one this library writes");
        }
    }

    private void checkTarget(Path p) {
        Path parent = p.getParent();
        if (java.nio.file.Files.isSymbolicLink(p) || (!parent.equals(layout.root()) && java.nio.file.Files.isSymbolicLink(parent))) {
            throw new CorruptStoreException(layout.root(), arrayOf(p), layout.root().relativize(p) + " is or lies in a link");
        }
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new CorruptStoreException(layout.root(), arrayOf(p), layout.root().relativize(p) + " is a pipe or device");
        }
    }

    /** @return the array whose file {@code p} (inside the store) is, or {@code null} */
    private String arrayOf(Path p) {
        return p.startsWith(layout.root()) ? StoreLayout.arrayOf(layout.root().relativize(p).toString()) : null;
    }

    /**
     * A file can never be renamed over a directory, so a journal holding such a rename could never be
     * completed: it must not become durable. (A DELETE earlier in the journal does not help: it leaves a
     * directory that is not empty.)
     */
    private void refuseRenamesOntoDirectories(List<Action> actions) {
        for (Action a : actions) {
            if (a.kind() == JournalCodec.Kind.RENAME && ontoDirectory(a)) {
                throw new CorruptStoreException(layout.root(), StoreLayout.arrayOf(a.target()), a.target()
                        + " is a directory: a data file cannot be renamed over it; nothing applied");
            }
        }
    }

    private boolean ontoDirectory(Action rename) {
        return Files.isDirectory(layout.resolve(rename.target(), null), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Recovery: applies what it can; a rename onto a directory is skipped (see {@link #applyAll}). */
    private void apply(List<Action> actions) throws IOException {
        validate(actions);
        applyValidated(actions, true);
    }

    /**
     * @param recovering whether an interrupted commit is being completed (see {@link #applyAll})
     */
    private void applyValidated(List<Action> actions, boolean recovering) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        java.util.Map<Path, FileChannel> written = new java.util.LinkedHashMap<>(); // open once per file
        try {
            applyAll(actions, dirs, written, recovering);
            for (java.util.Map.Entry<Path, FileChannel> w : written.entrySet()) {
                ops.syncData(w.getValue(), w.getKey());
            }
        } finally {
            IOException first = null;
            for (FileChannel ch : written.values()) {
                try {
                    ch.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
        for (Path d : dirs) {
            if (Files.isDirectory(d)) {
                ops.syncDir(d);
            }
        }
    }

    /**
     * Applies the actions in order. When {@code recovering}, a rename onto a directory (a journal of an
     * older version, or a directory made after the commit's check) is skipped, not failed: it can never
     * succeed, and failing would leave the whole store unopenable for one array. The staged file stays for
     * the sweeper; the array's record then names a directory, so it reads as a broken array.
     */
    private void applyAll(List<Action> actions, Set<Path> dirs, java.util.Map<Path, FileChannel> written,
            boolean recovering) throws IOException {
        for (Action a : actions) {
            Path p = layout.resolve(a.path(), null);
            switch (a.kind()) {
                case RENAME: {
                    Path to = layout.resolve(a.target(), null);
                    if (recovering && ontoDirectory(a)) {
                        break;
                    }
                    if (Files.exists(p)) {
                        ops.rename(p, to);
                    } else if (!Files.exists(to)) {
                        throw new CorruptStoreException(layout.root(), null, "journal renames " + a.path()
                                + " to " + a.target() + ", but neither exists");
                    }
                    dirs.add(p.getParent());
                    dirs.add(to.getParent());
                    break;
                }
                case PUT:
                    Path tmp = p.resolveSibling(StoreLayout.tempName(p.getFileName().toString(), "put"));
                    ops.replaceFile(tmp, p, ch -> FileOps.writeFully(ch, a.bytes().duplicate(), 0));
                    dirs.add(p.getParent()); // fsynced once, with every directory the commit touched
                    break;
                case PWRITE: {
                    FileChannel ch = written.get(p);
                    if (ch == null) {
                        ch = FileChannel.open(p, StandardOpenOption.WRITE);
                        written.put(p, ch);
                    }
                    FileOps.writeFully(ch, a.bytes(), a.offset());
                    break;
                }
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
    }

    /** A commit failed; {@link #committed()} tells whether it had already taken effect. */
    public static final class CommitException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean committed;

        CommitException(boolean committed, Throwable cause) {
            super(committed ? "the commit may have taken effect, but applying it failed: reopen the store to complete it"
                    : "not committed: " + cause.getMessage(), cause);
            this.committed = committed;
        }

        /** @return whether the change is (or may be) committed: then only recovery at the next open may write */
        public boolean committed() {
            return committed;
        }
    }
}
