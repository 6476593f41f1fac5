package dev.numpack.internal.store;

import java.io.ByteArrayOutputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a JSON file without the whitespace between its tokens, holding at most a given number of bytes.
 * JSON allows any amount of such whitespace, so a valid file has no size limit; what it says does, and
 * only that is kept in memory.
 */
final class CompactJson {
    private CompactJson() {}

    /**
     * @param file a JSON file
     * @param maxBytes the most bytes of tokens (strings, numbers, punctuation) accepted
     * @return the file's text without whitespace outside strings, or {@code null} when its tokens exceed
     *     {@code maxBytes} (then reading stopped there)
     * @throws IOException when the file cannot be read
     */
    static String read(Path file, long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            boolean inString = false;
            boolean escaped = false;
            for (int c = in.read(); c >= 0; c = in.read()) {
                if (!inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
                    continue;
                }
                if (out.size() >= maxBytes) {
                    return null;
                }
                out.write(c);
                if (escaped) {
                    escaped = false;
                } else if (inString && c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = !inString;
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
