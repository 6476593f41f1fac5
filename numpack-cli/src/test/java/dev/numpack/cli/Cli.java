package dev.numpack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NdArray;
import dev.numpack.io.NpyReader;
import dev.numpack.io.NpyWriter;
import dev.numpack.NumPack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Test helper: runs the numpack command in-process with captured output, and reads/writes .npy files. */
final class Cli {
    private Cli() {}

    /** The outcome of one command. */
    record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        List<String> errLines() {
            return err.lines().toList();
        }

        /** Asserts a clean failure: the exit code, exactly one stderr line with the prefix, no stack trace. */
        String assertOneLineError(int expectedCode) {
            assertEquals(expectedCode, code, () -> "exit code; stdout=" + out + " stderr=" + err);
            List<String> lines = errLines();
            assertEquals(1, lines.size(), () -> "stderr should be one line: " + err);
            assertTrue(lines.get(0).startsWith("numpack: error: "), lines.get(0));
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
            return lines.get(0);
        }

        /** Asserts success with nothing on stderr. */
        Result assertOk() {
            assertEquals(0, code, () -> "exit code; stdout=" + out + " stderr=" + err);
            assertEquals("", err, "stderr");
            return this;
        }
    }

    /** Runs {@code numpack args...}; progress bars are off unless the args turn them on. */
    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        boolean progressGiven = false;
        for (String a : args) {
            progressGiven |= a.equals("--progress") || a.equals("--no-progress");
        }
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            if (progressGiven) {
                code = Main.run(args, o, e);
            } else {
                all[0] = "--no-progress";
                System.arraycopy(args, 0, all, 1, args.length);
                code = Main.run(all, o, e);
            }
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String s(Path p) {
        return p.toString();
    }

    static void writeNpy(Path file, NdArray a) {
        NpyWriter.write(file, a);
    }

    static NdArray readNpy(Path file) {
        try (NpyReader r = NpyReader.open(file)) {
            return r.load();
        }
    }

    /** @return the array's live rows, read from a fresh read-only open */
    static NdArray load(Path store, String name) {
        try (NumPack np = NumPack.openReadOnly(store); var lazy = np.lazy(name)) {
            return lazy.load();
        }
    }

    static NdArray longs(long from, long to) {
        long[] v = new long[(int) (to - from)];
        for (int i = 0; i < v.length; i++) {
            v[i] = from + i;
        }
        return NdArray.of(v);
    }

    static NdArray floats(int rows, int cols, float offset) {
        float[][] v = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r][c] = offset + r * cols + c + 0.25f;
            }
        }
        return NdArray.of(v);
    }
}
