package dev.numpack.spark;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Removal of shard store directories (cleanup after a commit or an abort) and listing of a dataset's entries. */
final class DatasetFiles {
    private DatasetFiles() {}

    /**
     * Deletes a directory tree; a missing one is no error. Symbolic links are removed, never followed.
     *
     * @param dir the directory
     * @throws IOException if something could not be deleted
     */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * @param dataset a dataset directory
     * @param which a test on entry names
     * @return the entries whose names pass (none if the directory is missing)
     * @throws IOException if the directory cannot be listed
     */
    static List<Path> entries(Path dataset, Predicate<String> which) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dataset)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dataset)) {
            s.filter(p -> which.test(p.getFileName().toString())).forEach(out::add);
        }
        return out;
    }
}
