package dev.numpack.cli;

import java.util.Locale;

/** Text forms of shapes and sizes for command output. */
final class Formats {
    private Formats() {}

    /** @param shape dimensions @return the NumPy form: {@code ()}, {@code (5,)}, {@code (5, 3)} */
    static String shape(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /** @param bytes a size @return {@code 512 B}, {@code 1.5 KiB}, {@code 2.0 GiB} */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** @param n a count @param noun singular noun @return e.g. {@code 1 row}, {@code 3 rows} */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
