package dev.numpack.reliability.power;

import dev.numpack.internal.store.FileOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The states a power loss at one recorded instant may leave, built from a {@link DiskImage} and written out
 * as directories to check.
 *
 * <p>Names: every difference between a directory's durable listing and its current one is a change; changes
 * that share a file or directory identity form one unit, applied whole or not at all (a rename moves an
 * identity from one name to another, over whatever the target named, and file systems journal it atomically;
 * creates and deletes are units of their own). A state applies any subset of the units.
 *
 * <p>Bytes: a file never fsynced is empty, a prefix of its current bytes, or all of them; a file fsynced holds its
 * durable bytes, its current ones, its durable bytes followed by a prefix of what was appended since, or (for
 * writes in place) a mix of old and new {@value #SECTOR}-byte sectors, cut at either length.
 *
 * <p>Variant 0 is the pure durable state (no unit, durable bytes, never-fsynced files empty), variant 1 the
 * current one; the others draw units and bytes from a seeded {@link Random}, so a run is repeatable.
 */
final class CrashStates {
    /** The unit a disk writes whole: an interrupted page write may keep some sectors old and some new. */
    static final int SECTOR = 512;

    /** One name whose entry differs between the durable and the current listing of a directory. */
    private record Change(Object dir, String name, DiskImage.Entry from, DiskImage.Entry to) {
    }

    private final DiskImage image;
    private final List<List<Change>> units = new ArrayList<>();

    CrashStates(DiskImage image) {
        this.image = image;
        List<Change> changes = new ArrayList<>();
        Set<Object> dirs = new HashSet<>(image.durableDirs().keySet());
        dirs.addAll(image.currentDirs().keySet());
        for (Object d : dirs) {
            Map<String, DiskImage.Entry> was = image.durableDirs().getOrDefault(d, Map.of());
            Map<String, DiskImage.Entry> now = image.currentDirs().getOrDefault(d, Map.of());
            Set<String> names = new java.util.TreeSet<>(was.keySet());
            names.addAll(now.keySet());
            for (String n : names) {
                if (!Objects.equals(was.get(n), now.get(n))) {
                    changes.add(new Change(d, n, was.get(n), now.get(n)));
                }
            }
        }
        group(changes);
    }

    /** Union-find over the changes: two changes that name a common identity belong to one unit. */
    private void group(List<Change> changes) {
        int[] parent = new int[changes.size()];
        Map<Object, Integer> firstWith = new HashMap<>();
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
            for (DiskImage.Entry e : new DiskImage.Entry[] {changes.get(i).from(), changes.get(i).to()}) {
                if (e != null) {
                    Integer j = firstWith.putIfAbsent(e.key(), i);
                    if (j != null) {
                        parent[find(parent, i)] = find(parent, j);
                    }
                }
            }
        }
        Map<Integer, List<Change>> byRoot = new TreeMap<>();
        for (int i = 0; i < parent.length; i++) {
            byRoot.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(changes.get(i));
        }
        units.addAll(byRoot.values());
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** @return how many independent name changes this instant has not made durable */
    int units() {
        return units.size();
    }

    /**
     * Writes one state into {@code into} (an empty, existing directory).
     *
     * @param variant 0 durable, 1 current, else drawn from {@code rnd}
     * @param rnd the draws
     * @param into the directory
     * @return a fingerprint of the state written (names and bytes), to tell distinct states apart
     */
    String write(int variant, Random rnd, Path into) throws IOException {
        Map<Object, Map<String, DiskImage.Entry>> listings = new HashMap<>();
        for (List<Change> u : units) {
            if (variant == 0 || (variant > 1 && rnd.nextBoolean())) {
                continue; // this unit did not reach the disk
            }
            for (Change c : u) {
                Map<String, DiskImage.Entry> l = listings.computeIfAbsent(c.dir(),
                        d -> new TreeMap<>(image.durableDirs().getOrDefault(d, Map.of())));
                if (c.to() == null) {
                    l.remove(c.name());
                } else {
                    l.put(c.name(), c.to());
                }
            }
        }
        MessageDigest fp = sha256();
        Map<Object, byte[]> chosen = new HashMap<>(); // one choice per file, even under two names
        writeDir(image.rootKey(), into, listings, chosen, variant, rnd, fp, new HashSet<>(), "");
        return java.util.HexFormat.of().formatHex(fp.digest());
    }

    private void writeDir(Object key, Path dir, Map<Object, Map<String, DiskImage.Entry>> listings,
            Map<Object, byte[]> chosen, int variant, Random rnd, MessageDigest fp, Set<Object> seen, String rel)
            throws IOException {
        if (!seen.add(key)) {
            return; // a directory under two names (never made by the code under test): written once
        }
        Map<String, DiskImage.Entry> l = listings.getOrDefault(key, image.durableDirs().getOrDefault(key, Map.of()));
        for (Map.Entry<String, DiskImage.Entry> e : new TreeMap<>(l).entrySet()) {
            Path p = dir.resolve(e.getKey());
            String r = rel + "/" + e.getKey();
            if (e.getValue().dir()) {
                Files.createDirectory(p);
                fp.update((r + "/\n").getBytes(StandardCharsets.UTF_8));
                writeDir(e.getValue().key(), p, listings, chosen, variant, rnd, fp, seen, r);
            } else {
                byte[] bytes = chosen.computeIfAbsent(e.getValue().key(), k -> bytes(k, variant, rnd));
                fp.update((r + " " + bytes.length + "\n").getBytes(StandardCharsets.UTF_8));
                writeSparse(p, bytes, fp);
            }
        }
    }

    private byte[] bytes(Object key, int variant, Random rnd) {
        byte[] durable = image.durableFiles().get(key);
        byte[] current = image.currentFiles().get(key);
        if (current == null) {
            current = durable == null ? new byte[0] : durable;
        }
        if (variant == 1) {
            return current;
        }
        if (durable == null) { // never fsynced: nothing, part, or all of it reached the disk
            if (variant == 0) {
                return new byte[0];
            }
            switch (rnd.nextInt(3)) {
                case 0:
                    return new byte[0];
                case 1:
                    return Arrays.copyOf(current, rnd.nextInt(current.length + 1));
                default:
                    return current;
            }
        }
        if (variant == 0 || Arrays.equals(durable, current)) {
            return durable;
        }
        switch (rnd.nextInt(4)) {
            case 0:
                return durable;
            case 1:
                return current;
            case 2:
                if (current.length > durable.length && Arrays.equals(durable, 0, durable.length, current, 0, durable.length)) {
                    return Arrays.copyOf(current, durable.length + rnd.nextInt(current.length - durable.length + 1));
                }
                return mix(durable, current, rnd);
            default:
                return mix(durable, current, rnd);
        }
    }

    /** Blocks of zeros that {@link #writeSparse} leaves as holes. */
    private static final byte[] ZERO_BLOCK = new byte[4096];

    /**
     * Writes a new file with {@code bytes} and adds them to the fingerprint, leaving whole blocks of zeros as
     * holes (they read as zeros): a file that is mostly zeros, such as the append log (mapped and zero-filled to
     * its full size), costs neither the writes nor the digest of its zeros, in every state of every instant.
     */
    private static void writeSparse(Path p, byte[] bytes, MessageDigest fp) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int at = 0; at < bytes.length; at += ZERO_BLOCK.length) {
                int n = Math.min(ZERO_BLOCK.length, bytes.length - at);
                if (Arrays.equals(bytes, at, at + n, ZERO_BLOCK, 0, n) && at + n < bytes.length) {
                    fp.update((byte) 0); // one byte stands for a block of zeros (the length is digested already)
                    continue;
                }
                fp.update((byte) 1);
                fp.update(bytes, at, n);
                FileOps.writeFully(ch, ByteBuffer.wrap(bytes, at, n), at); // the last block always: the length
            }
        }
    }

    /** Some sectors old, some new; the length the old one's, the new one's, or between. */
    private static byte[] mix(byte[] old, byte[] now, Random rnd) {
        int lo = Math.min(old.length, now.length);
        int hi = Math.max(old.length, now.length);
        int length = lo + rnd.nextInt(hi - lo + 1);
        byte[] out = new byte[length];
        for (int at = 0; at < length; at += SECTOR) {
            int end = Math.min(length, at + SECTOR);
            byte[] first = rnd.nextBoolean() ? old : now;
            byte[] second = first == old ? now : old;
            int k = Math.max(at, Math.min(end, first.length)); // the first's bytes, then the other's, then zeros
            if (k > at) {
                System.arraycopy(first, at, out, at, k - at);
            }
            if (k < Math.min(end, second.length)) {
                System.arraycopy(second, k, out, k, Math.min(end, second.length) - k);
            }
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
