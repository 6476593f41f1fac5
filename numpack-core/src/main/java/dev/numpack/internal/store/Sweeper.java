package dev.numpack.internal.store;

import dev.numpack.internal.format.SegmentManifest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Removes what interrupted writes leave behind, when a writer opens the store (after recovery, under the
 * lock): temporary files, unreferenced segment files, and bytes appended past an array's committed end.
 * None of these is visible in the committed state, and no reader maps them.
 */
public final class Sweeper {
    private final StoreContext ctx;

    public Sweeper(StoreContext ctx) {
        this.ctx = ctx;
    }

    public void sweep(StoreSnapshot snap) throws IOException {
        deleteTemps(ctx.root());
        deleteOrphanSegmentDirs(snap);
        for (ArrayEntry e : snap.arrays().values()) {
            if (e.problem() != null) {
                continue; // damaged: leave its files for inspection
            }
            if (e.manifest() == null) {
                truncateTail(ctx.layout.resolve(e.record().dataFile(), e.name()), e.record().sizeBytes());
                continue;
            }
            Set<Path> referenced = new HashSet<>();
            for (SegmentManifest.Segment s : e.manifest().segments()) {
                Path p = ctx.layout.resolve(s.file(), e.name());
                referenced.add(p);
                truncateTail(p, s.bytes());
            }
            Path dir = ctx.layout.path(StoreLayout.segmentDir(e.name()));
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path p : ds) {
                        String f = p.getFileName().toString();
                        if (!referenced.contains(p) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && StoreLayout.isSegmentDirEntry(f)) {
                            Files.delete(p);
                        }
                    }
                }
            }
        }
    }

    /**
     * A save that would have made an array segmented, killed before its commit, leaves segment files under
     * their final names in {@code data_<name>_segments/}; no committed manifest lists them.
     */
    private void deleteOrphanSegmentDirs(StoreSnapshot snap) throws IOException {
        Set<String> live = new HashSet<>();
        for (ArrayEntry e : snap.arrays().values()) {
            if (e.problem() != null) {
                return; // a damaged array's files are unknown: sweep nothing until it is dropped or saved
            }
            if (e.manifest() != null) {
                live.add(StoreLayout.segmentDir(e.name()));
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(ctx.root())) {
            for (Path dir : ds) {
                String f = dir.getFileName().toString();
                if (!StoreLayout.isSegmentDir(f) || live.contains(f) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                boolean empty = true;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path p : files) {
                        String n = p.getFileName().toString();
                        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && StoreLayout.isSegmentDirEntry(n)) {
                            Files.delete(p);
                        } else {
                            empty = false; // not ours: leave it, and the directory
                        }
                    }
                }
                if (empty) {
                    Files.delete(dir);
                }
            }
        }
    }

    private static void deleteTemps(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (StoreLayout.isTemp(f) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                } else if (StoreLayout.isSegmentDir(f) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTemps(p);
                }
            }
        }
    }

    private void truncateTail(Path file, long committed) throws IOException {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && ctx.layout.inPlaceWriteProblem(file) == null
                && Files.size(file) > committed) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(committed);
                ctx.ops.syncFile(ch, file);
            }
        }
    }

    /**
     * Fsyncs every file of the committed state and the directories (a clean close in NO_FSYNC mode), the
     * files several at once. A file that is no longer a plain file of the store (someone put a directory, a
     * pipe or a link in its place since it was committed) holds nothing of the committed state: it is
     * skipped, not an error of the close, and its array reads as damaged at the next open. A file that
     * cannot be opened or fsynced fails the close with a {@link dev.numpack.StoreIOException} naming its
     * array; the lock is released all the same.
     */
    public void syncAll(StoreSnapshot snap) {
        Set<Path> dirs = new HashSet<>();
        dirs.add(ctx.root());
        FileOps always = new FileOps(true); // this close promises durability whatever the mode
        SyncGroup files = new SyncGroup(always);
        try {
            try {
                force(files, ctx.layout.path(StoreLayout.METADATA), null);
                force(files, ctx.layout.path(StoreLayout.JOURNAL), null); // if close could not remove it, its clear must be durable
                for (ArrayEntry e : snap.arrays().values()) {
                    if (e.problem() != null) {
                        continue;
                    }
                    force(files, ctx.layout.resolve(e.record().dataFile(), e.name()), e.name());
                    force(files, ctx.layout.path(StoreLayout.bitmapFile(e.name())), e.name());
                    if (e.manifest() != null) {
                        for (SegmentManifest.Segment s : e.manifest().segments()) {
                            Path p = ctx.layout.resolve(s.file(), e.name());
                            force(files, p, e.name());
                            dirs.add(p.getParent());
                        }
                    }
                }
            } finally {
                files.await(); // every fsync ended, even when one failed to start
            }
        } catch (IOException e) {
            throw ctx.io(StoreLayout.arrayOf(failedFile(e)), "close could not fsync", e);
        }
        for (Path d : dirs) {
            if (ctx.layout.fileProblem(d) != null && !d.equals(ctx.root())) {
                continue; // a segment directory replaced by a link or a file: nothing of ours in it
            }
            try {
                always.syncDir(d);
            } catch (IOException e) {
                throw ctx.io(StoreLayout.arrayOf(ctx.root().relativize(d).toString()), "close could not fsync "
                        + "the directory", e);
            }
        }
    }

    /** @return the file a failed fsync names, relative to the store, or {@code null} */
    private String failedFile(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            Path p = Path.of(f.getFile());
            return p.startsWith(ctx.root()) ? ctx.root().relativize(p).toString() : null;
        }
        return null;
    }

    private void force(SyncGroup files, Path p, String array) throws IOException {
        if (ctx.layout.fileProblem(p) != null) {
            return; // not the committed file any more (see syncAll)
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
            return; // an optional file (bitmap, journal) that is not there
        } catch (IOException e) {
            throw ctx.io(array, "close could not open " + ctx.root().relativize(p) + " to fsync it", e);
        }
        files.add(ch, p);
    }
}
