package dev.numpack.reliability.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The directory of one case: the store ({@code store/}), the input files it imports ({@code in/}), where
 * exports go ({@code out/}), and bait that must never change: {@code bait/} (targets of the links planted in
 * the store, a copy of the store's metadata, a directory) and {@code x.npkd} beside the store, which a
 * {@code ../x.npkd} escape would reach. Everything but {@code store/} and {@code out/} is bait: the inputs too,
 * which are only ever read.
 */
final class CaseDir {
    final Path root;
    final Path store;
    final Path in;
    final Path out;
    final Path bait;
    private Map<String, String> before;

    CaseDir(Path root) {
        this.root = root;
        this.store = root.resolve("store");
        this.in = root.resolve("in");
        this.out = root.resolve("out");
        this.bait = root.resolve("bait");
        try {
            Files.createDirectories(in);
            Files.createDirectories(out);
            Files.createDirectories(bait.resolve("dir"));
            Files.write(bait.resolve("target.bin"), filled(256, (byte) 0x5A));
            Files.write(bait.resolve("dir").resolve("inner.bin"), filled(64, (byte) 7));
            Files.write(root.resolve("x.npkd"), filled(4096, (byte) 0x33));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        Arrays.fill(b, v);
        return b;
    }

    /** Records the bait as it is now: after the mutation, before the operations. */
    void rememberBait() {
        before = baitTree();
    }

    /** @return what changed outside the store since {@link #rememberBait()}, empty if nothing */
    List<String> outsideChanges() {
        Map<String, String> now = baitTree();
        List<String> diff = new ArrayList<>();
        for (Map.Entry<String, String> e : before.entrySet()) {
            String n = now.get(e.getKey());
            if (n == null) {
                diff.add("removed " + e.getKey());
            } else if (!n.equals(e.getValue())) {
                diff.add("changed " + e.getKey());
            }
        }
        for (String k : now.keySet()) {
            if (!before.containsKey(k)) {
                diff.add("added " + k);
            }
        }
        return diff;
    }

    /** Every path under the case directory but the store and the exports, with a digest of what it is. */
    private Map<String, String> baitTree() {
        Map<String, String> t = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.startsWith(store) || p.startsWith(out) || p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    t.put(rel, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    t.put(rel, "dir");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] b = Files.readAllBytes(p);
                    t.put(rel, b.length + ":" + Arrays.hashCode(b));
                } else {
                    t.put(rel, "special");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    /** Deletes the case directory, links themselves and not what they point at. */
    void delete() {
        deleteTree(root);
    }

    static void deleteTree(Path root) {
        dev.numpack.testkit.TestFiles.deleteTree(root);
    }

    /** Copies a tree (regular files and directories only), as the template store is copied into each case. */
    static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from, e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
