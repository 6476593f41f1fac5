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
     * files several at once.
     */
    public void syncAll(StoreSnapshot snap) {
        try {
            Set<Path> dirs = new HashSet<>();
            dirs.add(ctx.root());
            FileOps always = new FileOps(true); // this close promises durability whatever the mode
            SyncGroup files = new SyncGroup(always);
            try {
                force(files, ctx.layout.path(StoreLayout.METADATA));
                force(files, ctx.layout.path(StoreLayout.JOURNAL)); // if close could not remove it, its clear must be durable
                for (ArrayEntry e : snap.arrays().values()) {
                    if (e.problem() != null) {
                        continue;
                    }
                    force(files, ctx.layout.resolve(e.record().dataFile(), e.name()));
                    force(files, ctx.layout.path(StoreLayout.bitmapFile(e.name())));
                    if (e.manifest() != null) {
                        for (SegmentManifest.Segment s : e.manifest().segments()) {
                            Path p = ctx.layout.resolve(s.file(), e.name());
                            force(files, p);
                            dirs.add(p.getParent());
                        }
                    }
                }
            } finally {
                files.await(); // every fsync ended, even when one failed to start
            }
            for (Path d : dirs) {
                always.syncDir(d);
            }
        } catch (IOException e) {
            throw ctx.io(null, "close could not fsync", e);
        }
    }

    private static void force(SyncGroup files, Path p) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.WRITE);
        } catch (java.nio.file.NoSuchFileException e) {
            return; // an optional file (bitmap, journal) that is not there
        }
        files.add(ch, p);
    }
}
