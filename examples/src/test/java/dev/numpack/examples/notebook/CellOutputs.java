package dev.numpack.examples.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * What one cell shows, in the order it happened, as nbformat outputs: text printed to {@code System.out}
 * and {@code System.err} (stream outputs), {@link Display#display} calls (display data) and the value of
 * the cell's final expression (the execute result). Images and XChart charts are shown as PNG, anything
 * else as its {@code toString()}, as IJava renders them.
 */
final class CellOutputs {
    private final int executionCount;
    private final JsonArray outputs = new JsonArray();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private String pendingStream; // "stdout" or "stderr": whose bytes wait in pending

    /** @param executionCount the cell's {@code In [n]} number, which its execute result carries */
    CellOutputs(int executionCount) {
        this.executionCount = executionCount;
    }

    /** @param value shown where the cell has got to, as IJava's {@code display} shows it */
    synchronized void display(Object value) {
        flush();
        JsonObject o = new JsonObject();
        o.add("data", mimeBundle(value));
        o.add("metadata", new JsonObject());
        o.addProperty("output_type", "display_data");
        outputs.add(o);
    }

    /** @param value the cell's final expression's value */
    synchronized void result(Object value) {
        flush();
        JsonObject o = new JsonObject();
        o.add("data", mimeBundle(value));
        o.addProperty("execution_count", executionCount);
        o.add("metadata", new JsonObject());
        o.addProperty("output_type", "execute_result");
        outputs.add(o);
    }

    /** @return everything shown so far, in order */
    synchronized JsonArray toJson() {
        flush();
        return outputs.deepCopy();
    }

    /**
     * @param stream {@code stdout} or {@code stderr}
     * @param b bytes printed, part of UTF-8 text
     * @param off where they start in {@code b}
     * @param len how many
     */
    synchronized void append(String stream, byte[] b, int off, int len) {
        if (!stream.equals(pendingStream)) {
            flush();
            pendingStream = stream;
        }
        pending.write(b, off, len);
    }

    /** Moves waiting stream bytes into an output: decoded only now, so no character is cut between writes. */
    private void flush() {
        if (pending.size() == 0) {
            return;
        }
        String text = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        JsonObject last = outputs.isEmpty() ? null : outputs.get(outputs.size() - 1).getAsJsonObject();
        if (last != null && "stream".equals(last.get("output_type").getAsString())
                && pendingStream.equals(last.get("name").getAsString())) {
            last.addProperty("text", last.get("text").getAsString() + text); // Jupyter merges them too
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("name", pendingStream);
        o.addProperty("output_type", "stream");
        o.addProperty("text", text);
        outputs.add(o);
    }

    private static JsonObject mimeBundle(Object value) {
        JsonObject data = new JsonObject();
        RenderedImage image = value instanceof Chart<?, ?> chart ? BitmapEncoder.getBufferedImage(chart)
                : value instanceof RenderedImage r ? r : null;
        if (image != null) {
            data.addProperty("image/png", png(image));
            data.addProperty("text/plain", value.getClass().getSimpleName() + " " + image.getWidth() + "x"
                    + image.getHeight());
        } else {
            data.addProperty("text/plain", String.valueOf(value));
        }
        return data;
    }

    private static String png(RenderedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the image as PNG", e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
