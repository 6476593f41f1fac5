package dev.numpack.internal.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The manifest of a segmented array ({@code data_<name>.npkseg}), a JSON file listing the segment files
 * in row order: {@code {"version":1,"segments":[{"file":"...","rows":N,"bytes":B}, ...]}}.
 *
 * <p>Segments may have any sizes; a reader must only check that they add up to the array.
 */
public final class SegmentManifest {
    /** The manifest version NumPack 0.7 writes. */
    public static final int VERSION = 1;

    /** One segment file: its path relative to the store, its row count and byte count. */
    public static final class Segment {
        private final String file;
        private final long rows;
        private final long bytes;

        /**
         * @param file path relative to the store
         * @param rows rows in this segment
         * @param bytes bytes in this segment
         */
        public Segment(String file, long rows, long bytes) {
            this.file = file;
            this.rows = rows;
            this.bytes = bytes;
        }

        /** @return path relative to the store */
        public String file() {
            return file;
        }

        /** @return rows in this segment */
        public long rows() {
            return rows;
        }

        /** @return bytes in this segment */
        public long bytes() {
            return bytes;
        }
    }

    private final List<Segment> segments;

    /** @param segments the segments in row order */
    public SegmentManifest(List<Segment> segments) {
        this.segments = Collections.unmodifiableList(new ArrayList<>(segments));
    }

    /** @return the segments in row order */
    public List<Segment> segments() {
        return segments;
    }

    /** @return total rows */
    public long rows() {
        long n = 0;
        for (Segment s : segments) {
            n += s.rows;
        }
        return n;
    }

    /**
     * Checks the manifest against the array it belongs to.
     *
     * @param rowBytes bytes per row
     * @param physicalRows rows the metadata records
     * @throws FormatException if a segment's bytes are not rows x rowBytes or the rows do not add up
     */
    public void check(long rowBytes, long physicalRows) {
        long total = 0;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.rows < 0 || s.bytes < 0 || (rowBytes > 0 && s.bytes / rowBytes != s.rows) || s.rows * rowBytes != s.bytes) {
                throw new FormatException("segment " + i + " (" + s.file + ") holds " + s.bytes + " bytes for "
                        + s.rows + " rows of " + rowBytes + " bytes");
            }
            try {
                total = Math.addExact(total, s.rows);
            } catch (ArithmeticException e) {
                throw new FormatException("segment rows overflow 64 bits");
            }
        }
        if (total != physicalRows) {
            throw new FormatException("segments hold " + total + " rows, metadata says " + physicalRows);
        }
    }

    /** @return the JSON text, compact (upstream pretty-prints; both forms parse on both sides) */
    public String encode() {
        StringBuilder sb = new StringBuilder("{\"version\":").append(VERSION).append(",\"segments\":[");
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"file\":").append(Json.quote(s.file)).append(",\"rows\":").append(s.rows)
                    .append(",\"bytes\":").append(s.bytes).append('}');
        }
        return sb.append("]}").toString();
    }

    /**
     * @param json the manifest text
     * @return the manifest
     * @throws FormatException if it is not a version-1 manifest
     */
    public static SegmentManifest decode(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof java.util.Map)) {
            throw new FormatException("segment manifest is not a JSON object");
        }
        java.util.Map<?, ?> m = (java.util.Map<?, ?>) root;
        Object version = m.get("version");
        if (!(version instanceof Long) || (Long) version != VERSION) {
            throw new FormatException("segment manifest version " + version + " is not " + VERSION);
        }
        Object segs = m.get("segments");
        if (!(segs instanceof List)) {
            throw new FormatException("segment manifest has no 'segments' list");
        }
        List<Segment> out = new ArrayList<>();
        for (Object o : (List<?>) segs) {
            if (!(o instanceof java.util.Map)) {
                throw new FormatException("segment entry " + out.size() + " is not an object");
            }
            java.util.Map<?, ?> s = (java.util.Map<?, ?>) o;
            Object file = s.get("file");
            Object rows = s.get("rows");
            Object bytes = s.get("bytes");
            if (!(file instanceof String) || !(rows instanceof Long) || !(bytes instanceof Long)) {
                throw new FormatException("segment entry " + out.size() + " needs string 'file', integer 'rows' and 'bytes'");
            }
            out.add(new Segment((String) file, (Long) rows, (Long) bytes));
        }
        return new SegmentManifest(out);
    }
}
