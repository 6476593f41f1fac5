package dev.numpack.internal.format;

import dev.numpack.DType;
import dev.numpack.InvalidArgumentException;
import dev.numpack.NumPack;
import dev.numpack.internal.RowChecks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header of a NumPy {@code .npy} file (format versions 1.0, 2.0 and 3.0): a pure codec that knows no
 * files.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, a major and a minor version byte, the length of the header text
 * (an unsigned little-endian 16-bit integer in version 1.0, 32-bit in 2.0 and 3.0), then the header text:
 * a Python dict literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }},
 * padded with spaces and a final newline so that the data starts at a multiple of 64 bytes. Versions 1.0
 * and 2.0 encode the text as Latin-1, version 3.0 as UTF-8.
 *
 * <p>Reading a header takes two steps because its length is only known from its first bytes:
 *
 * <pre>{@code
 * ByteBuffer prefix = ...;                       // the first PREFIX_BYTES bytes (or the whole file if shorter)
 * long n = NpyHeader.totalHeaderLength(prefix);  // bytes before the data
 * ByteBuffer whole = ...;                        // the first n bytes
 * NpyHeader h = NpyHeader.decode(whole);
 * }</pre>
 *
 * <p>Only the 14 NumPack element types are accepted, in either byte order; structured, object, string,
 * date and subarray types are refused with a {@link FormatException}.
 */
public final class NpyHeader {
    /** The most bytes {@link #totalHeaderLength} needs to see: magic, version and a 32-bit length. */
    public static final int PREFIX_BYTES = 12;

    /**
     * The largest header text accepted, in bytes. NumPy headers are about 128 bytes; the bound stops a
     * corrupt length field from making a reader allocate gigabytes.
     */
    public static final int MAX_HEADER_BYTES = 16 << 20;

    /** The data start is aligned to this many bytes, as NumPy does. */
    private static final int ALIGNMENT = 64;

    /**
     * NumPy pads the text so that the first dimension can later grow in place to this many digits
     * (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS); we do the same so that our headers are byte-identical.
     */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int V1_PREFIX = 10;
    private static final int V2_PREFIX = 12;

    private final DType dtype;
    private final boolean bigEndian;
    private final boolean fortranOrder;
    private final long[] shape;
    private final int version;
    private final long headerLength;
    private final long dataLength;

    private NpyHeader(DType dtype, boolean bigEndian, boolean fortranOrder, long[] shape, int version,
            long headerLength, long dataLength) {
        this.dtype = dtype;
        this.bigEndian = bigEndian;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
        this.version = version;
        this.headerLength = headerLength;
        this.dataLength = dataLength;
    }

    /** @return the element type */
    public DType dtype() {
        return dtype;
    }

    /**
     * @return whether the data is stored big-endian ({@code '>'} in the descriptor); always {@code false}
     *     for one-byte types, whose byte order does not matter
     */
    public boolean bigEndian() {
        return bigEndian;
    }

    /** @return whether the data is stored in Fortran (column-major) order */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    /** @return a copy of the shape, empty for a 0-d array */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the major format version: 1, 2 or 3 (the minor version is always 0) */
    public int version() {
        return version;
    }

    /** @return the total number of bytes before the data: prefix, header text and padding */
    public long headerLength() {
        return headerLength;
    }

    /** @return the number of data bytes the shape and element type call for */
    public long dataLength() {
        return dataLength;
    }

    @Override
    public String toString() {
        char order = dtype.itemSize() == 1 ? '|' : bigEndian ? '>' : '<';
        return "descr '" + order + dtype.npyDescr().substring(1) + "', fortran_order "
                + (fortranOrder ? "True" : "False") + ", shape " + pythonTuple(shape) + ", version " + version
                + ".0";
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Reads the fixed prefix of a header to learn how many bytes precede the data.
     *
     * @param prefix the first bytes of the file, from its position: {@link #PREFIX_BYTES} bytes, or the
     *     whole file if shorter (10 bytes are enough for version 1.0). The buffer is not modified.
     * @return the total header length: prefix, header text and padding
     * @throws FormatException on bad magic, an unsupported version, a header longer than
     *     {@link #MAX_HEADER_BYTES} or too few bytes
     */
    public static long totalHeaderLength(ByteBuffer prefix) {
        ByteBuffer b = prefix.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        if (b.remaining() < MAGIC.length + 2) {
            throw new FormatException("truncated .npy header: " + b.remaining() + " bytes, the magic and "
                    + "version alone take 8");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(p + i) != MAGIC[i]) {
                throw new FormatException("not a .npy file: bad magic " + hex(b, p, MAGIC.length)
                        + " (expected 93 4e 55 4d 50 59, \"\\x93NUMPY\")");
            }
        }
        int major = b.get(p + 6) & 0xFF;
        int minor = b.get(p + 7) & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new FormatException("unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        int prefixLength = major == 1 ? V1_PREFIX : V2_PREFIX;
        if (b.remaining() < prefixLength) {
            throw new FormatException("truncated .npy header: " + b.remaining() + " bytes, version " + major
                    + ".0 needs " + prefixLength + " before the header text");
        }
        long textLength = major == 1
                ? b.getShort(p + 8) & 0xFFFFL
                : b.getInt(p + 8) & 0xFFFFFFFFL;
        if (textLength > MAX_HEADER_BYTES) {
            throw new FormatException(".npy header text of " + textLength + " bytes exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        return prefixLength + textLength;
    }

    /**
     * Decodes a whole header.
     *
     * @param header the header bytes from its position: at least {@link #totalHeaderLength} bytes (any
     *     following data bytes are ignored). The buffer is not modified.
     * @return the header
     * @throws FormatException if the bytes are not a valid header of a supported array
     */
    public static NpyHeader decode(ByteBuffer header) {
        long total = totalHeaderLength(header);
        ByteBuffer b = header.duplicate();
        if (b.remaining() < total) {
            throw new FormatException("truncated .npy header: " + b.remaining() + " bytes, the header says "
                    + total);
        }
        int start = b.position();
        int version = b.get(start + 6);
        int prefixLength = version == 1 ? V1_PREFIX : V2_PREFIX;
        b.limit(start + (int) total).position(start + prefixLength);
        String text = decodeText(b, version);

        Map<String, Object> dict = HeaderParser.parseDict(text);
        if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw new FormatException(".npy header must have exactly the keys 'descr', 'fortran_order' and "
                    + "'shape', found " + dict.keySet());
        }
        Descr descr = Descr.parse(dict.get("descr"));
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new FormatException(".npy header: fortran_order must be True or False, found "
                    + HeaderParser.show(fortran));
        }
        long[] shape = parseShape(dict.get("shape"));
        long dataLength = checkedByteSize(descr.dtype, shape);
        return new NpyHeader(descr.dtype, descr.bigEndian, (Boolean) fortran, shape, version, total,
                dataLength);
    }

    private static String decodeText(ByteBuffer text, int version) {
        if (version < 3) {
            return StandardCharsets.ISO_8859_1.decode(text).toString();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(text)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FormatException(".npy version 3.0 header text is not valid UTF-8", e);
        }
    }

    private static long[] parseShape(Object value) {
        if (!(value instanceof HeaderParser.Tuple)) {
            throw new FormatException(".npy header: shape must be a tuple of integers, found "
                    + HeaderParser.show(value));
        }
        List<Object> items = ((HeaderParser.Tuple) value).items();
        long[] shape = new long[items.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = items.get(i);
            if (!(d instanceof Long) || (Long) d < 0) {
                throw new FormatException(".npy header: shape " + HeaderParser.show(value)
                        + " has an invalid dimension " + HeaderParser.show(d));
            }
            shape[i] = (Long) d;
        }
        return shape;
    }

    /**
     * The data size. Zero dimensions are skipped while checking for overflow, so that no partial product
     * (a row size, say) of an accepted shape can overflow either, even in an empty array.
     */
    private static long checkedByteSize(DType dtype, long[] shape) {
        try {
            return RowChecks.shapeBytes(null, null, dtype.itemSize(), dtype.numpyName(), shape);
        } catch (InvalidArgumentException e) {
            throw new FormatException(".npy header: shape " + pythonTuple(shape) + " of " + dtype.numpyName()
                    + " needs more than " + Long.MAX_VALUE + " bytes");
        }
    }

    /** The element type and byte order named by a {@code descr} value. */
    private static final class Descr {
        final DType dtype;
        final boolean bigEndian;

        private Descr(DType dtype, boolean bigEndian) {
            this.dtype = dtype;
            this.bigEndian = bigEndian;
        }

        static Descr parse(Object value) {
            if (value instanceof List) {
                throw new FormatException("structured dtypes are not supported: descr is a list of fields "
                        + HeaderParser.show(value));
            }
            if (value instanceof HeaderParser.Tuple) {
                throw new FormatException("subarray dtypes are not supported: descr is "
                        + HeaderParser.show(value));
            }
            if (!(value instanceof String)) {
                throw new FormatException(".npy header: descr must be a string, found "
                        + HeaderParser.show(value));
            }
            String s = (String) value;
            // No order character means native order, like '='; NumPy always writes one.
            boolean hasOrder = !s.isEmpty() && "<>=|".indexOf(s.charAt(0)) >= 0;
            char order = hasOrder ? s.charAt(0) : '=';
            String code = hasOrder ? s.substring(1) : s;
            DType dtype = typeOf(code);
            if (dtype == null) {
                throw new FormatException(unsupportedMessage(s, code));
            }
            if (order == '|' && dtype.itemSize() > 1) {
                throw new FormatException("descr '" + s + "': byte order '|' (not applicable) is only valid "
                        + "for one-byte types");
            }
            // '=' is the writer's native order; the platforms NumPy runs on in practice are little-endian.
            return new Descr(dtype, order == '>' && dtype.componentSize() > 1);
        }

        private static DType typeOf(String code) {
            switch (code) {
                case "?": case "b1": return DType.BOOL;
                case "u1": return DType.UINT8;
                case "i1": return DType.INT8;
                case "u2": return DType.UINT16;
                case "i2": return DType.INT16;
                case "u4": return DType.UINT32;
                case "i4": return DType.INT32;
                case "u8": return DType.UINT64;
                case "i8": return DType.INT64;
                case "f2": return DType.FLOAT16;
                case "f4": return DType.FLOAT32;
                case "f8": return DType.FLOAT64;
                case "c8": return DType.COMPLEX64;
                case "c16": return DType.COMPLEX128;
                default: return null;
            }
        }

        private static String unsupportedMessage(String descr, String code) {
            String why;
            if (code.startsWith("O")) {
                why = "object arrays hold pickled Python objects";
            } else if (code.startsWith("U") || code.startsWith("S") || code.startsWith("a")) {
                why = "string dtypes are not supported";
            } else if (code.startsWith("V")) {
                why = "void (raw record) dtypes are not supported";
            } else if (code.startsWith("M") || code.startsWith("m")) {
                why = "datetime and timedelta dtypes are not supported";
            } else {
                why = "not one of the 14 NumPack dtypes";
            }
            return "unsupported .npy descr '" + descr + "': " + why + " (supported: bool, int8-int64, "
                    + "uint8-uint64, float16, float32, float64, complex64, complex128)";
        }
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Encodes the header NumPy writes for a C-order little-endian array: {@code numpy.save} produces the
     * same bytes. The version is 1.0 when the header fits its 16-bit length field, 2.0 otherwise.
     *
     * @param dtype the element type
     * @param shape the shape, empty for a 0-d array
     * @return a buffer, position 0, holding the header; its length is a multiple of 64
     * @throws IllegalArgumentException if a dimension is negative or the data would exceed
     *     {@code Long.MAX_VALUE} bytes
     */
    public static ByteBuffer encode(DType dtype, long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        try {
            checkedByteSize(dtype, shape);
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        // Keys in sorted order with a trailing ", " after each: this is how NumPy formats the dict.
        StringBuilder text = new StringBuilder()
                .append("{'descr': '").append(dtype.npyDescr())
                .append("', 'fortran_order': False, 'shape': ").append(pythonTuple(shape)).append(", }");
        if (shape.length > 0) {
            text.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);

        int version = 1;
        long padded = paddedTextLength(V1_PREFIX, bytes.length);
        if (padded > 0xFFFF) {
            version = 2;
            padded = paddedTextLength(V2_PREFIX, bytes.length);
        }
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("a shape of " + shape.length + " dimensions makes a .npy "
                    + "header longer than " + MAX_HEADER_BYTES + " bytes");
        }
        int prefixLength = version == 1 ? V1_PREFIX : V2_PREFIX;
        ByteBuffer out = ByteBuffer.allocate(prefixLength + (int) padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            out.putShort((short) padded);
        } else {
            out.putInt((int) padded);
        }
        out.put(bytes);
        while (out.remaining() > 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.flip();
    }

    /**
     * The length of the header text once padded, newline included. Like NumPy, a text that would end
     * exactly on the boundary still gets a full 64 bytes of padding.
     */
    private static long paddedTextLength(int prefixLength, int textLength) {
        long withNewline = textLength + 1L;
        return withNewline + ALIGNMENT - (prefixLength + withNewline) % ALIGNMENT;
    }

    /** Formats a shape as Python's {@code repr} of a tuple: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    static String pythonTuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static String hex(ByteBuffer b, int from, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? " " : "").append(String.format("%02x", b.get(from + i) & 0xFF));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the dict literal

    /**
     * A recursive-descent parser for the subset of Python literals a header can hold: dicts, tuples,
     * lists, strings (single or double quotes, no escapes), integers (with Python 2's {@code L} suffix),
     * {@code True}, {@code False} and {@code None}. Lists and nested tuples are parsed only so that the
     * error for a structured or subarray dtype can name what was found.
     */
    private static final class HeaderParser {
        /** A Python tuple, kept apart from lists because shape must be a tuple. */
        record Tuple(List<Object> items) {}

        /** Stands for Python's None, which a map value cannot be. */
        private static final Object NONE = new Object() {
            @Override
            public String toString() {
                return "None";
            }
        };

        private static final int MAX_DEPTH = 32;

        private final String s;
        private int pos;
        private int depth;

        private HeaderParser(String s) {
            this.s = s;
        }

        static Map<String, Object> parseDict(String text) {
            HeaderParser p = new HeaderParser(text);
            p.skipSpace();
            if (!p.peek('{')) {
                throw p.error("the header is not a dict literal");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> dict = (Map<String, Object>) p.value();
            p.skipSpace();
            if (p.pos < p.s.length()) {
                throw p.error("unexpected text after the dict");
            }
            return dict;
        }

        private Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end of the header");
            }
            if (++depth > MAX_DEPTH) {
                throw error("literal nested too deeply");
            }
            try {
                char c = s.charAt(pos);
                switch (c) {
                    case '{': return dict();
                    case '(': return tuple();
                    case '[': return list();
                    case '\'': case '"': return string();
                    default:
                        if (c == '-' || c == '+' || isDigit(c)) {
                            return integer();
                        }
                        return word();
                }
            } finally {
                depth--;
            }
        }

        private Map<String, Object> dict() {
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            while (!closeOrComma('}', map.isEmpty())) {
                skipSpace();
                Object key = value();
                if (!(key instanceof String)) {
                    throw error("dict key " + show(key) + " is not a string");
                }
                skipSpace();
                expect(':');
                Object v = value();
                if (map.put((String) key, v) != null) {
                    throw error("duplicate key '" + key + "'");
                }
            }
            return map;
        }

        private Object tuple() {
            pos++; // '('
            List<Object> items = new ArrayList<>();
            boolean sawComma = false;
            while (true) {
                skipSpace();
                if (peek(')')) {
                    pos++;
                    // "(5)" is just 5 in Python; only "()" and a comma make a tuple.
                    return items.size() == 1 && !sawComma ? items.get(0) : new Tuple(items);
                }
                if (!items.isEmpty()) {
                    expect(',');
                    sawComma = true;
                    skipSpace();
                    if (peek(')')) {
                        continue;
                    }
                }
                items.add(value());
            }
        }

        private List<Object> list() {
            pos++; // '['
            List<Object> items = new ArrayList<>();
            while (!closeOrComma(']', items.isEmpty())) {
                items.add(value());
            }
            return items;
        }

        /**
         * Between the items of a dict or list: consumes the closing bracket (returning true), or the comma
         * before the next item. A trailing comma before the bracket is allowed, as in Python.
         */
        private boolean closeOrComma(char close, boolean first) {
            skipSpace();
            if (peek(close)) {
                pos++;
                return true;
            }
            if (!first) {
                expect(',');
                skipSpace();
                if (peek(close)) {
                    pos++;
                    return true;
                }
            }
            return false;
        }

        private String string() {
            char quote = s.charAt(pos++);
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos);
                if (c == '\\') {
                    throw error("escape sequences in strings are not supported");
                }
                if (c == '\n') {
                    throw error("unterminated string");
                }
                pos++;
            }
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            return s.substring(start, pos++);
        }

        private Long integer() {
            int start = pos;
            if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
                pos++;
            }
            int digits = pos;
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
            if (pos == digits) {
                throw error("expected a digit");
            }
            String number = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++; // Python 2 long literal, found in headers written by old NumPy versions
            }
            try {
                return Long.parseLong(number);
            } catch (NumberFormatException e) {
                throw error("integer " + number + " is out of range");
            }
        }

        private Object word() {
            int start = pos;
            while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
                pos++;
            }
            String w = s.substring(start, pos);
            switch (w) {
                case "True": return Boolean.TRUE;
                case "False": return Boolean.FALSE;
                case "None": return NONE;
                default:
                    pos = start;
                    throw error(w.isEmpty() ? "unexpected character '" + s.charAt(pos) + "'"
                            : "unexpected name '" + w + "'");
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error(pos >= s.length() ? "expected '" + c + "' before the end of the header"
                        : "expected '" + c + "' but found '" + s.charAt(pos) + "'");
            }
            pos++;
        }

        private FormatException error(String what) {
            String shown = s.length() > 200 ? s.substring(0, 200) + "..." : s;
            return new FormatException("cannot parse .npy header at character " + pos + ": " + what
                    + " in " + quote(shown.strip()));
        }

        private static String quote(String text) {
            return "\"" + text.replace("\n", "\\n") + "\"";
        }

        /** Renders a parsed value back in Python syntax, for error messages. */
        static String show(Object v) {
            if (v instanceof String) {
                return "'" + v + "'";
            }
            if (v instanceof Boolean) {
                return (Boolean) v ? "True" : "False";
            }
            if (v instanceof Tuple) {
                List<Object> items = ((Tuple) v).items();
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < items.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(show(items.get(i)));
                }
                return sb.append(items.size() == 1 ? ",)" : ")").toString();
            }
            if (v instanceof List) {
                StringBuilder sb = new StringBuilder("[");
                List<?> items = (List<?>) v;
                for (int i = 0; i < items.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(show(items.get(i)));
                }
                return sb.append(']').toString();
            }
            if (v instanceof Map) {
                StringBuilder sb = new StringBuilder("{");
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    sb.append(sb.length() > 1 ? ", " : "").append(show(e.getKey())).append(": ")
                            .append(show(e.getValue()));
                }
                return sb.append('}').toString();
            }
            return String.valueOf(v);
        }
    }
}
