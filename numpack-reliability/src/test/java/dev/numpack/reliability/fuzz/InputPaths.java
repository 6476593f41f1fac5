package dev.numpack.reliability.fuzz;

import dev.numpack.NumPack;
import dev.numpack.io.IdxReader;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpzReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The read paths of the file readers of {@code dev.numpack.io} ({@link NpyReader}, {@link NpzReader} and its
 * members, {@link IdxReader}) and the store's import paths, on one damaged input file.
 */
final class InputPaths {
    private static final long MAX_ROW_BYTES = 1 << 20;
    private static final int MAX_MEMBERS = 4;

    private final Recorder rec;

    InputPaths(Recorder rec) {
        this.rec = rec;
    }

    /** Opens and reads {@code file} with the reader of {@code kind}. */
    void reads(Kind kind, Path file) {
        switch (kind) {
            case NPY -> reader("npy", null, rec.call("NpyReader.open", null, () -> NpyReader.open(file)));
            case IDX -> reader("idx", null, rec.call("IdxReader.open", null, () -> IdxReader.open(file)));
            case NPZ -> {
                NpzReader z = rec.call("NpzReader.open", null, () -> NpzReader.open(file));
                if (z == null) {
                    return;
                }
                List<String> members = rec.call("npz members", null, z::members);
                if (members != null) {
                    for (String m : members.subList(0, Math.min(MAX_MEMBERS, members.size()))) {
                        rec.call("npz contains", m, () -> z.contains(m));
                        reader("npz member", m, rec.call("npz member", m, () -> z.member(m)));
                    }
                }
                rec.call("npz missing member", "zz", () -> z.member("zz"));
                rec.run("npz close", null, z::close);
            }
            default -> throw new IllegalArgumentException(kind + " is not an input kind");
        }
    }

    private void reader(String what, String member, dev.numpack.io.ArrayReader r) {
        if (r == null) {
            return;
        }
        try (dev.numpack.io.ArrayReader reader = r) {
            long rows = reader.rows();
            long rowBytes = reader.rowBytes();
            rec.call(what + " dtype/shape", member, () -> reader.dtype() + java.util.Arrays.toString(reader.shape()));
            rec.call(what + " load", member, reader::load);
            if (rowBytes <= MAX_ROW_BYTES) {
                ByteBuffer dst = ByteBuffer.allocateDirect((int) Math.max(1, rowBytes));
                rec.run(what + " readRows first", member, () -> reader.readRows(0, Math.min(rows, 1), dst.clear()));
                rec.run(what + " readRows last", member, () -> reader.readRows(Math.max(0, rows - 1), Math.min(rows, 1),
                        dst.clear()));
                rec.run(what + " readRows past end", member, () -> reader.readRows(rows, 1, dst.clear()));
            }
        } catch (Throwable t) {
            rec.note(what + " close", Outcome.of(t, member), t);
        }
    }

    /** The store's imports of {@code file}. */
    void imports(Kind kind, NumPack np, Path file) {
        switch (kind) {
            case NPY -> {
                rec.run("importNpy", "imp", () -> np.importNpy("imp", file));
                rec.run("appendNpy", "a", () -> np.appendNpy("a", file));
                rec.run("appendNpy empty", "u", () -> np.appendNpy("u", file));
            }
            case NPZ -> {
                rec.run("importNpz", null, () -> np.importNpz(file));
                rec.run("importNpz member", "m", () -> np.importNpz("m", file, "m0"));
                rec.run("importNpz renamed", null, () -> np.importNpz(file, java.util.Map.of("m1", "renamed"), dev.numpack.ProgressListener.NONE));
            }
            case IDX -> rec.run("importIdx", "idx", () -> np.importIdx("idx", file));
            default -> throw new IllegalArgumentException(kind + " is not an input kind");
        }
    }
}
