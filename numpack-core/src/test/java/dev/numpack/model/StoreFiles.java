package dev.numpack.model;

import dev.numpack.ArrayInfo;
import dev.numpack.NumPack;
import dev.numpack.internal.store.FileOps;
import dev.numpack.internal.store.Journal;
import dev.numpack.internal.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a store as a writable open must leave them after a crash: nothing but what the committed
 * arrays explain, and no pending journal. Shared by core's crash reproductions and the kill trials of
 * numpack-reliability (which reach it through core's test jar).
 */
public final class StoreFiles {
    private StoreFiles() {}

    /** The mark in the names of the engine's temporary files. */
    public static final String TEMP_MARK = ".tmp-np";


    /**
     * @return files in the store that no array of the committed state explains (temp files, stray segments,
     *     data files of arrays that do not exist)
     */
    public static List<String> leftovers(Path store, NumPack np) {
        Set<String> expected = new HashSet<>();
        expected.add("metadata.npkm");
        expected.add(".numpack.lock");
        expected.add("numpack.journal"); // kept between commits (cleared, not deleted)
        List<String> out = new ArrayList<>();
        for (ArrayInfo i : np.infos()) {
            String n = i.name();
            if (i.segmented()) {
                expected.add("data_" + n + ".npkseg");
                expected.add("data_" + n + "_segments");
                Path segDir = store.resolve("data_" + n + "_segments");
                try (Stream<Path> s = Files.list(segDir)) {
                    List<Path> files = s.toList();
                    if (files.size() != i.dataFiles()) { // stray segment files
                        out.add(segDir.getFileName() + " holds " + files.size() + " files for " + i.dataFiles()
                                + " segments: " + files.stream().map(p -> p.getFileName().toString()).sorted().toList());
                    }
                } catch (IOException e) {
                    out.add("cannot list " + segDir + ": " + e);
                }
            } else {
                expected.add("data_" + n + ".npkd");
            }
            if (i.deletedRows() > 0) {
                expected.add("deleted_" + n + ".npkb");
            }
        }
        try (Stream<Path> s = Files.walk(store)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.contains(TEMP_MARK)) {
                    out.add("temp file " + store.relativize(p));
                }
            }
        } catch (IOException e) {
            out.add("cannot walk the store: " + e);
        }
        try (Stream<Path> s = Files.list(store)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (!expected.contains(f) && !f.contains(TEMP_MARK)) {
                    String what = "";
                    if (Files.isDirectory(p)) {
                        try (Stream<Path> in = Files.list(p)) {
                            what = "/ holding " + in.map(q -> q.getFileName().toString()).sorted().toList();
                        }
                    }
                    out.add("unexplained " + f + what);
                }
            }
        } catch (IOException e) {
            out.add("cannot list the store: " + e);
        }
        return out;
    }

    /** @return whether the store's journal holds a commit not yet completed */
    public static boolean journalPending(Path store) {
        Path root = store.toAbsolutePath().normalize();
        return new Journal(new StoreLayout(root), new FileOps(false)).present();
    }
}
