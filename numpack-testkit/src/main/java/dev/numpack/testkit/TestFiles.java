package dev.numpack.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File helpers the tests of every module share. */
public final class TestFiles {
    private TestFiles() {}

    /**
     * Deletes a file or a directory tree, deepest first; a missing one is no error. Links are deleted, never
     * followed ({@link Files#walk} does not follow them).
     *
     * @param root the file or directory
     * @throws UncheckedIOException naming {@code root} if something could not be deleted
     */
    public static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
