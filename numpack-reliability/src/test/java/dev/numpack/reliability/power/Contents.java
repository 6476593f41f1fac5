package dev.numpack.reliability.power;

import dev.numpack.NdArray;
import dev.numpack.NumPack;
import dev.numpack.checkpoint.CheckpointInfo;
import dev.numpack.checkpoint.CheckpointManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Opens a crash state the way a user would, so that recovery runs, verifies it, and describes its content in
 * one line per array (or per checkpoint): what the simulation compares with the content before and after an
 * operation. Through the public API only.
 */
final class Contents {
    private Contents() {}

    /**
     * @param dir a store
     * @return "name dtype [shape] sha256-of-the-rows" per array, by name; the store opened writable (recovery and
     *     the sweep run) and verified
     */
    static String ofStore(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (NumPack np = NumPack.open(dir)) {
            np.verify();
            for (String name : new TreeSet<>(np.names())) {
                NdArray a = np.load(name);
                sb.append(name).append(' ').append(a.dtype()).append(' ').append(Arrays.toString(a.shape())).append(' ')
                        .append(sha256(a.buffer())).append(';');
            }
        }
        return sb.toString();
    }

    /**
     * @param dir a checkpoint directory
     * @return "checkpoint-N {store content}" per checkpoint, by name, one a line; the manager opened (its recovery
     *     runs), every checkpoint it lists opened as a store and verified; a checkpoint directory the manager
     *     does not list (unreadable) fails
     */
    static String ofCheckpoints(Path dir) throws IOException {
        Set<String> listed = new HashSet<>();
        try (CheckpointManager m = CheckpointManager.builder().setDirectory(dir).build()) {
            for (CheckpointInfo i : m.list()) {
                listed.add(i.name());
            }
        }
        StringBuilder sb = new StringBuilder();
        List<Path> finals;
        try (Stream<Path> s = Files.list(dir)) {
            finals = s.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).sorted().toList();
        }
        for (Path p : finals) {
            String name = p.getFileName().toString();
            if (!listed.contains(name)) {
                throw new IllegalStateException(name + " is there but does not read as a checkpoint");
            }
            sb.append(name).append(' ').append(ofStore(p)).append('\n');
        }
        return sb.toString();
    }

    /**
     * A power loss during a checkpoint save (which prunes after publishing) may leave the checkpoints before it,
     * or the new one added and any part of the pruning done.
     */
    static boolean checkpointPrefix(String state, String before, String after) {
        if (state.equals(before)) {
            return true;
        }
        Set<String> got = lines(state);
        Set<String> allowed = lines(before);
        allowed.addAll(lines(after));
        return got.containsAll(lines(after)) && allowed.containsAll(got);
    }

    private static Set<String> lines(String s) {
        return new HashSet<>(s.isEmpty() ? List.of() : Arrays.asList(s.split("\n")));
    }

    private static String sha256(ByteBuffer b) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b.duplicate());
            return java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
