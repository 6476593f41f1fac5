package dev.numpack.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code npk_layout.py}, the repository's second, independent implementation of the NumPack 0.7 layout in
 * Python + NumPy (written from the format's spec, never from the Java code it checks): it writes stores as
 * NumPack 0.7 does and reads any store as NumPack 0.7 would. Its usage is in the script's docstring.
 */
public final class NpkLayoutScript {
    /** Where the script lies on the class path. */
    public static final String RESOURCE = "/dev/numpack/testkit/npk_layout.py";

    private static volatile String source;

    private NpkLayoutScript() {}

    /** @return the script's text */
    public static String source() {
        String s = source;
        if (s == null) {
            try (InputStream in = NpkLayoutScript.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new AssertionError(RESOURCE + " is not on the class path");
                }
                s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            source = s;
        }
        return s;
    }

    /**
     * Runs a subcommand ({@code write}, {@code expect}, {@code dump}, {@code model}, {@code take}); call
     * {@link Python#assumeAvailable()} first.
     *
     * @param args the subcommand and its arguments
     * @return what the script printed on standard output
     * @throws AssertionError if it exits non-zero (2: it refused the store), with its standard error
     */
    public static String run(String... args) {
        return Python.run(source(), args);
    }
}
