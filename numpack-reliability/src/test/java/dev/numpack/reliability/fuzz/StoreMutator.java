package dev.numpack.reliability.fuzz;

import dev.numpack.internal.format.JournalCodec;
import dev.numpack.internal.format.JournalCodec.Action;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Damages a copy of the {@link TemplateStore} in one of the ways of a store {@link Kind}, chosen by the case's
 * seed, and says what it did. Links point into the case's bait only, never at a system file.
 */
final class StoreMutator {
    private static final String META = "metadata.npkm";
    private static final String JOURNAL = "numpack.journal";
    private static final String LOCK = ".numpack.lock";
    private static final String MANIFEST = "data_s.npkseg";
    private static final String BITMAP = "deleted_b.npkb";
    private static final List<String> DATA = List.of("data_a.npkd", "data_b.npkd", "data_c.npkd", "data_h.npkd",
            "data_i.npkd", "data_u.npkd", "data_s_segments/seg_000000.npkd", "data_s_segments/seg_000001.npkd");

    private final CaseDir dir;
    private final SplittableRandom r;

    StoreMutator(CaseDir dir, SplittableRandom r) {
        this.dir = dir;
        this.r = r;
    }

    /** Applies one mutation of {@code kind}; @return what it did */
    String mutate(Kind kind) throws IOException, InterruptedException {
        return switch (kind) {
            case META_FIELD -> metaField();
            case META_BYTES -> bytes(META);
            case BITMAP -> bitmap();
            case MANIFEST -> manifest();
            case DATA_FILE -> dataFile();
            case JOURNAL -> journal();
            case SWAP -> swap();
            case SYMLINK -> symlink();
            case FIFO -> fifo();
            case SPARSE -> sparse();
            case DIRECTORY -> directory();
            default -> throw new IllegalArgumentException(kind + " is not a store kind");
        };
    }

    private Path p(String rel) {
        return dir.store.resolve(rel);
    }

    private byte[] read(String rel) throws IOException {
        return Files.readAllBytes(p(rel));
    }

    private void write(String rel, byte[] b) throws IOException {
        Files.createDirectories(p(rel).getParent());
        Files.deleteIfExists(p(rel));
        Files.write(p(rel), b);
    }

    /** Every regular file and directory of the store, the journal and lock file included. */
    private List<String> entries() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir.store)) {
            s.filter(x -> !x.equals(dir.store)).forEach(x -> out.add(dir.store.relativize(x).toString()));
        }
        if (!out.contains(JOURNAL)) {
            out.add(JOURNAL);
        }
        if (!out.contains(LOCK)) {
            out.add(LOCK);
        }
        out.sort(null);
        return out;
    }

    // ------------------------------------------------------------------ metadata

    private String metaField() throws IOException {
        byte[] meta = read(META);
        byte[] out = mutateMetadata(meta);
        write(META, out);
        return lastMetaChange;
    }

    private String lastMetaChange;

    /** One change to a valid metadata file's fields, strings or records; sets {@link #lastMetaChange}. */
    byte[] mutateMetadata(byte[] meta) {
        MetadataFields f = new MetadataFields(meta);
        ByteBuffer b = ByteBuffer.wrap(meta.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int how = r.nextInt(11);
        if (how < 5) {
            MetadataFields.Field fd = Edge.pick(r, f.fields);
            long cur = fd.width() == 8 ? b.getLong(fd.offset()) : fd.width() == 4 ? b.getInt(fd.offset()) & 0xFFFFFFFFL
                    : b.get(fd.offset()) & 0xFF;
            long v = fd.width() == 1 ? r.nextInt(256) : Edge.value(r, cur);
            put(b, fd.offset(), fd.width(), v);
            lastMetaChange = fd.name() + " " + cur + " -> " + v;
            return b.array();
        }
        if (how < 7) {
            // a shape dimension with a size_bytes that matches it (wrapping as a careless writer would)
            MetadataFields.Shape s = Edge.pick(r, f.shapes);
            if (s.dimOffsets().length == 0) {
                return b.array();
            }
            int d = r.nextInt(s.dimOffsets().length);
            long v = Edge.value(r, b.getLong(s.dimOffsets()[d]));
            b.putLong(s.dimOffsets()[d], v);
            int item = itemSize(b.get(s.dtypeOffset()));
            long size = item;
            for (int off : s.dimOffsets()) {
                size *= b.getLong(off);
            }
            b.putLong(s.sizeOffset(), size);
            lastMetaChange = s.array() + ".shape[" + d + "] -> " + v + " with size_bytes " + size;
            return b.array();
        }
        if (how < 9) {
            MetadataFields.Text t = Edge.pick(r, f.texts);
            String v = t.name().endsWith(".name") ? hostileName() : hostileDataFile();
            byte[] nb = v.getBytes(StandardCharsets.UTF_8);
            ByteBuffer o = ByteBuffer.allocate(meta.length - t.length() + nb.length).order(ByteOrder.LITTLE_ENDIAN);
            o.put(meta, 0, t.lengthOffset()).putInt(nb.length).put(nb);
            int after = t.lengthOffset() + 4 + t.length();
            o.put(meta, after, meta.length - after);
            lastMetaChange = t.name() + " -> \"" + printable(v) + "\"";
            return o.array();
        }
        if (how == 10) {
            // rows of zero bytes: a last dimension of 0 makes any row count valid with size_bytes 0 and any data
            // file, so that huge row counts reach the row engine, the bitmap and the commit
            List<MetadataFields.Shape> multi = f.shapes.stream().filter(x -> x.dimOffsets().length >= 2).toList();
            MetadataFields.Shape s = Edge.pick(r, multi);
            long rows = Edge.pick(r, 1L << 31, (1L << 31) + 1, 1L << 37, 138_000_000_000L, 1L << 40, 1L << 62,
                    Long.MAX_VALUE, 3L, 70L);
            b.putLong(s.dimOffsets()[0], rows);
            b.putLong(s.dimOffsets()[s.dimOffsets().length - 1], 0);
            b.putLong(s.sizeOffset(), 0);
            lastMetaChange = s.array() + " -> " + rows + " rows of zero bytes";
            return b.array();
        }
        // a record duplicated or dropped, the count kept or adjusted
        int rec = r.nextInt(f.recordStarts.size() - 1);
        int from = f.recordStarts.get(rec);
        int to = f.recordStarts.get(rec + 1);
        boolean dup = r.nextBoolean();
        boolean fixCount = r.nextBoolean();
        ByteBuffer o = ByteBuffer.allocate(meta.length + (dup ? to - from : from - to)).order(ByteOrder.LITTLE_ENDIAN);
        if (dup) {
            o.put(meta, 0, to).put(meta, from, to - from).put(meta, to, meta.length - to);
        } else {
            o.put(meta, 0, from).put(meta, to, meta.length - to);
        }
        int count = ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN).getInt(16);
        if (fixCount) {
            o.putInt(16, count + (dup ? 1 : -1));
        }
        lastMetaChange = "record " + rec + (dup ? " duplicated" : " removed") + (fixCount ? ", count adjusted" : "");
        return o.array();
    }

    private static int itemSize(int code) {
        int[] sizes = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 8, 16};
        return code >= 0 && code < sizes.length ? sizes[code] : 4;
    }

    private static void put(ByteBuffer b, int off, int width, long v) {
        switch (width) {
            case 8 -> b.putLong(off, v);
            case 4 -> b.putInt(off, (int) v);
            default -> b.put(off, (byte) v);
        }
    }

    private String hostileName() {
        return Edge.pick(r, "../x", "a", "b", "", "a/b", "..", ".", "n".repeat(250), "x\u0000y", "a:b", "é\uD83D\uDE00",
                "data_a", "metadata", "s_segments", "x.tmp-np1", "\\", "a\nb");
    }

    private String hostileDataFile() {
        return Edge.pick(r, "../x.npkd", "../bait/target.bin", dir.bait.resolve("target.bin").toString(), "data_b.npkd",
                "data_s.npkseg", "data_s_segments", "data_s_segments/seg_000000.npkd", ".", "", "metadata.npkm",
                "numpack.journal", ".numpack.lock", "data_a.npkd\u0000", "missing.npkd", "data_zz.npkseg",
                "deleted_b.npkb", "data_a.npkd/..", "./data_a.npkd", "data_s_segments/../../x.npkd", "/", "link.npkd",
                "data_a.npkd.tmp-np1", "C:\\x", "~/x");
    }

    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.length() > 60 ? sb.substring(0, 60) + "...(" + s.length() + " chars)" : sb.toString();
    }

    // ------------------------------------------------------------------ bytes of any file

    /** Flips, cuts, inserts, appends or zeroes bytes of {@code rel}. */
    private String bytes(String rel) throws IOException {
        byte[] b = read(rel);
        String what = byteChange(b);
        write(rel, lastBytes);
        return rel + ": " + what;
    }

    private byte[] lastBytes;

    private String byteChange(byte[] b) {
        int n = b.length;
        switch (r.nextInt(7)) {
            case 0: {
                byte[] o = b.clone();
                int k = 1 + r.nextInt(8);
                StringBuilder at = new StringBuilder();
                for (int i = 0; i < k && n > 0; i++) {
                    int pos = r.nextInt(n);
                    o[pos] ^= (byte) (1 << r.nextInt(8));
                    at.append(i == 0 ? "" : ",").append(pos);
                }
                lastBytes = o;
                return "bits flipped at " + at;
            }
            case 1: {
                int cut = n == 0 ? 0 : r.nextInt(n);
                lastBytes = Arrays.copyOf(b, cut);
                return "cut to " + cut + " of " + n + " bytes";
            }
            case 2: {
                int k = 1 + r.nextInt(64);
                byte[] o = Arrays.copyOf(b, n + k);
                for (int i = n; i < o.length; i++) {
                    o[i] = (byte) r.nextInt(256);
                }
                lastBytes = o;
                return k + " random bytes appended";
            }
            case 3: {
                int pos = n == 0 ? 0 : r.nextInt(n);
                int k = 1 + r.nextInt(16);
                byte[] o = new byte[n + k];
                System.arraycopy(b, 0, o, 0, pos);
                for (int i = 0; i < k; i++) {
                    o[pos + i] = (byte) r.nextInt(256);
                }
                System.arraycopy(b, pos, o, pos + k, n - pos);
                lastBytes = o;
                return k + " bytes inserted at " + pos;
            }
            case 4: {
                byte[] o = b.clone();
                int pos = n == 0 ? 0 : r.nextInt(n);
                int k = Math.min(n - pos, 1 + r.nextInt(32));
                byte v = (byte) (int) Edge.pick(r, 0, 0xFF, 0x7F, 0x80);
                Arrays.fill(o, pos, pos + k, v);
                lastBytes = o;
                return k + " bytes at " + pos + " set to " + (v & 0xFF);
            }
            case 5: {
                byte[] o = b.clone();
                int pos = n < 4 ? 0 : r.nextInt(n - 3);
                if (n >= 4) {
                    ByteBuffer.wrap(o).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, (int) Edge.value(r, 0));
                }
                lastBytes = o;
                return "int at " + pos + " set to an edge value";
            }
            default:
                lastBytes = new byte[0];
                return "emptied (" + n + " bytes)";
        }
    }

    // ------------------------------------------------------------------ bitmap

    private String bitmap() throws IOException {
        String target = r.nextInt(4) == 0 ? Edge.pick(r, "deleted_a.npkb", "deleted_s.npkb", "deleted_u.npkb",
                "deleted_c.npkb", "deleted_i.npkb") : BITMAP;
        byte[] b = read(BITMAP);
        ByteBuffer o;
        String what;
        switch (r.nextInt(6)) {
            case 0 -> {
                o = ByteBuffer.wrap(b.clone()).order(ByteOrder.LITTLE_ENDIAN);
                int field = r.nextInt(2) * 8;
                long v = Edge.value(r, o.getLong(field));
                o.putLong(field, v);
                what = (field == 0 ? "total_rows" : "deleted_count") + " -> " + v;
            }
            case 1 -> {
                long rows = Edge.pick(r, 0L, 1L, 7L, 10L, 11L, 63L, 64L, 65L, 129L, 25L, 6L, 5L, 3L);
                int words = (int) ((rows + 63) / 64);
                o = ByteBuffer.allocate(16 + 8 * words).order(ByteOrder.LITTLE_ENDIAN);
                long live = 0;
                o.putLong(rows);
                o.putLong(0);
                for (int w = 0; w < words; w++) {
                    long word = Edge.pick(r, 0L, -1L, r.nextLong(), 0x5555555555555555L);
                    live += Long.bitCount(word);
                    o.putLong(word);
                }
                long deleted = r.nextBoolean() ? rows - live : Edge.value(r, rows - live);
                o.putLong(8, deleted);
                what = "rewritten for " + rows + " rows, deleted_count " + deleted;
            }
            case 2 -> {
                o = ByteBuffer.wrap(Arrays.copyOfRange(b, 16, b.length));
                what = "legacy form (header removed)";
            }
            case 3 -> {
                o = ByteBuffer.wrap(b.clone()).order(ByteOrder.LITTLE_ENDIAN);
                o.putLong(16, Edge.pick(r, -1L, 0L, r.nextLong(), 1L << 63));
                what = "first word set";
            }
            default -> {
                what = byteChange(b);
                o = ByteBuffer.wrap(lastBytes);
            }
        }
        write(target, o.array());
        return target + ": " + what;
    }

    // ------------------------------------------------------------------ manifest

    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    private String manifest() throws IOException {
        String json = new String(read(MANIFEST), StandardCharsets.UTF_8);
        String out;
        String what;
        switch (r.nextInt(8)) {
            case 0, 1 -> {
                Matcher m = NUMBER.matcher(json);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
                int[] s = Edge.pick(r, spans);
                String v = Edge.pick(r, Long.toString(Edge.value(r, Long.parseLong(json.substring(s[0], s[1])))),
                        "1e400", "1.5", "-0", "\"7\"", "null", "99999999999999999999999", "true", "[]", "{}");
                out = json.substring(0, s[0]) + v + json.substring(s[1]);
                what = "number at " + s[0] + " -> " + v;
            }
            case 2 -> {
                String seg = "data_s_segments/seg_000000.npkd";
                String v = Edge.pick(r, "../x.npkd", "../bait/target.bin", dir.bait.resolve("target.bin").toString(),
                        "data_a.npkd", "data_s_segments/seg_000001.npkd", "data_s_segments", "", ".", "metadata.npkm",
                        "data_s_segments/../../x.npkd", "data_s_segments/missing.npkd", "data_s.npkseg",
                        "data_s_segments/seg_000000.npkd\\u0000", "\\u002e\\u002e/x.npkd", "data_s_segments/link");
                out = r.nextBoolean() ? json.replaceFirst(Pattern.quote(seg), Matcher.quoteReplacement(v))
                        : json.replace("data_s_segments/seg_000001.npkd", v);
                what = "a segment file -> \"" + printable(v) + "\"";
            }
            case 3 -> {
                int open = json.indexOf('{', json.indexOf('['));
                int close = json.indexOf('}', open);
                String entry = json.substring(open, close + 1);
                boolean dup = r.nextBoolean();
                out = dup ? json.substring(0, close + 1) + "," + entry + json.substring(close + 1)
                        : json.substring(0, open) + json.substring(close + 2 > json.length() ? close + 1 : close + 2);
                what = dup ? "first segment duplicated" : "first segment removed";
            }
            case 4 -> {
                String v = Edge.pick(r, "{}", "[]", "null", "", "{\"version\":1}", "{\"version\":1,\"segments\":[]}",
                        "{\"version\":2,\"segments\":[]}", "{\"version\":1,\"segments\":{}}",
                        "{\"version\":1,\"segments\":[{}]}", "{\"version\":1,\"segments\":[null]}",
                        "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
                        "\"" + "x".repeat(100_000) + "\"", "{\"version\":1,\"segments\":[{\"file\":\"\\ud800\","
                        + "\"rows\":1,\"bytes\":64}]}", json + json);
                out = v;
                what = "replaced by \"" + printable(v) + "\"";
            }
            case 5 -> {
                String key = Edge.pick(r, "\"rows\"", "\"bytes\"", "\"file\"", "\"version\"", "\"segments\"");
                String v = Edge.pick(r, "\"x\"", "\"extra\"", key + ":1," + key);
                out = json.replaceFirst(Pattern.quote(key), Matcher.quoteReplacement(v));
                what = "key " + key + " -> " + v;
            }
            default -> {
                String w = byteChange(json.getBytes(StandardCharsets.UTF_8));
                write(MANIFEST, lastBytes);
                return MANIFEST + ": " + w;
            }
        }
        write(MANIFEST, out.getBytes(StandardCharsets.UTF_8));
        return MANIFEST + ": " + what;
    }

    // ------------------------------------------------------------------ data files

    private String dataFile() throws IOException {
        String f = Edge.pick(r, DATA);
        byte[] b = read(f);
        int n = b.length;
        switch (r.nextInt(6)) {
            case 0 -> {
                int len = Edge.pick(r, 0, n - 1, n / 2, n + 1, n + 8, 2 * n, Math.max(0, n - 8), n + 4096);
                write(f, Arrays.copyOf(b, Math.max(0, len)));
                return f + ": length " + n + " -> " + Math.max(0, len);
            }
            case 1 -> {
                Files.delete(p(f));
                return f + ": removed";
            }
            case 2 -> {
                CaseDir.deleteTree(p("data_s_segments"));
                return "data_s_segments: removed";
            }
            case 3 -> {
                write("data_s_segments/seg_000002.npkd", b);
                return "extra segment file data_s_segments/seg_000002.npkd";
            }
            default -> {
                return bytes(f);
            }
        }
    }

    // ------------------------------------------------------------------ journal

    private String journal() throws IOException {
        byte[] meta = read(META);
        List<Action> actions = new ArrayList<>();
        StringBuilder what = new StringBuilder("journal [");
        int k = 1 + r.nextInt(4);
        for (int i = 0; i < k; i++) {
            String target = Edge.pick(r, "metadata.npkm", "data_a.npkd", "data_s.npkseg", "deleted_b.npkb",
                    "data_s_segments/seg_000000.npkd", "data_new.npkd", "../x.npkd", "../bait/target.bin",
                    dir.bait.resolve("target.bin").toString(), "data_s_segments", ".", "", "numpack.journal",
                    ".numpack.lock", "data_a.npkd/x", "../bait/dir", "data_s_segments/../../x.npkd");
            switch (r.nextInt(5)) {
                case 0 -> {
                    byte[] m = r.nextBoolean() ? mutateMetadata(meta) : meta;
                    String path = r.nextInt(3) == 0 ? target : "metadata.npkm";
                    actions.add(Action.put(path, ByteBuffer.wrap(m)));
                    what.append("put ").append(printable(path)).append(m == meta ? " (valid metadata)" : " (" + lastMetaChange + ")");
                }
                case 1 -> {
                    String staged = Edge.pick(r, "data_a.npkd.tmp-npF", "metadata.npkm.tmp-npF", "gone.tmp-npF",
                            "../x.npkd", "data_s_segments", "data_c.npkd");
                    if (staged.endsWith(".tmp-npF") && !staged.startsWith("gone")) {
                        byte[] content = new byte[Edge.pick(r, 0, 1, 96, 97, 4096)];
                        if (staged.startsWith("metadata")) {
                            content = r.nextBoolean() ? meta : mutateMetadata(meta);
                        }
                        write(staged, content);
                    }
                    actions.add(Action.rename(staged, target));
                    what.append("rename ").append(printable(staged)).append(" -> ").append(printable(target));
                }
                case 2 -> {
                    long off = Edge.pick(r, 0L, 1L, 95L, 96L, 4096L, 1L << 31, 1L << 40, Long.MAX_VALUE - 4, 1L << 62);
                    int len = Edge.pick(r, 0, 1, 4, 64);
                    actions.add(Action.pwrite(target, off, ByteBuffer.wrap(new byte[len])));
                    what.append("pwrite ").append(len).append(" at ").append(off).append(" into ").append(printable(target));
                }
                case 3 -> {
                    actions.add(Action.delete(target));
                    what.append("delete ").append(printable(target));
                }
                default -> {
                    actions.add(Action.put(target, ByteBuffer.wrap(new byte[Edge.pick(r, 0, 7, 96, 1000)])));
                    what.append("put ").append(printable(target));
                }
            }
            what.append("; ");
        }
        ByteBuffer enc = JournalCodec.encode(actions);
        byte[] j = new byte[enc.remaining()];
        enc.get(j);
        if (r.nextInt(3) == 0) {
            // damage the payload and seal it again: the checksum passes and the decoder meets the damage
            int header = JournalCodec.HEADER_BYTES;
            int pos = header + r.nextInt(j.length - header);
            int v = (int) Edge.value(r, j[pos]);
            if (r.nextBoolean() && pos + 4 <= j.length) {
                ByteBuffer.wrap(j).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, v);
            } else {
                j[pos] = (byte) v;
            }
            CRC32C crc = new CRC32C();
            crc.update(j, header, j.length - header);
            ByteBuffer.wrap(j).order(ByteOrder.LITTLE_ENDIAN).putInt(12, (int) crc.getValue());
            what.append("payload byte ").append(pos).append(" -> ").append(v).append(", checksum resealed; ");
        }
        write(JOURNAL, j);
        return what.append(']').toString();
    }

    // ------------------------------------------------------------------ swapped, linked, special files

    private List<String> files() throws IOException {
        List<String> out = new ArrayList<>();
        for (String e : entries()) {
            if (Files.isRegularFile(p(e), LinkOption.NOFOLLOW_LINKS)) {
                out.add(e);
            }
        }
        return out;
    }

    private String swap() throws IOException {
        List<String> fs = files();
        String a = Edge.pick(r, fs);
        String b = Edge.pick(r, fs);
        byte[] x = read(a);
        byte[] y = read(b);
        write(a, y);
        write(b, x);
        return "swapped " + a + " and " + b;
    }

    private String symlink() throws IOException {
        String f = Edge.pick(r, entries());
        Path target = switch (r.nextInt(8)) {
            case 0 -> dir.bait.resolve("target.bin");
            case 1 -> Path.of("../bait/target.bin");
            case 2 -> Path.of("nowhere");
            case 3 -> p(f).getFileName();
            case 4 -> dir.bait.resolve("dir");
            case 5 -> {
                // a copy of the file outside the store: reads may follow the link, writes must not
                Path copy = dir.bait.resolve("copy.bin");
                Files.copy(Files.isRegularFile(p(f), LinkOption.NOFOLLOW_LINKS) ? p(f) : dir.bait.resolve("target.bin"), copy);
                yield copy;
            }
            case 6 -> p("data_c.npkd");
            default -> Path.of("/dev/zero");
        };
        replaceByNothing(f);
        Files.createSymbolicLink(p(f), target);
        return f + " -> symlink to " + target;
    }

    private String fifo() throws IOException, InterruptedException {
        String f = Edge.pick(r, entries());
        replaceByNothing(f);
        Process pr = new ProcessBuilder("mkfifo", p(f).toString()).redirectErrorStream(true).start();
        if (!pr.waitFor(30, TimeUnit.SECONDS) || pr.exitValue() != 0) {
            throw new IOException("mkfifo failed for " + p(f));
        }
        return f + " -> named pipe";
    }

    private String sparse() throws IOException {
        String f = Edge.pick(r, entries());
        if (Files.isDirectory(p(f))) {
            f = META;
        }
        long len = Edge.pick(r, (1L << 31) + 7, 1L << 32, 1L << 40, 65L << 20, 40L << 20, 600L << 20, 100L << 20,
                (2L << 30) - 1);
        if (!Files.exists(p(f))) {
            Files.createFile(p(f));
        }
        try (RandomAccessFile raf = new RandomAccessFile(p(f).toFile(), "rw")) {
            raf.setLength(len);
        }
        return f + " -> sparse, " + len + " bytes";
    }

    private String directory() throws IOException {
        String f = Edge.pick(r, entries());
        boolean full = r.nextBoolean();
        if (Files.isDirectory(p(f), LinkOption.NOFOLLOW_LINKS)) {
            CaseDir.deleteTree(p(f));
            Files.write(p(f), new byte[] {1, 2, 3});
            return f + " (a directory) -> a file";
        }
        replaceByNothing(f);
        Files.createDirectory(p(f));
        if (full) {
            Files.write(p(f).resolve("inside.txt"), new byte[] {1});
        }
        return f + " -> " + (full ? "directory with a file" : "empty directory");
    }

    private void replaceByNothing(String f) throws IOException {
        Files.createDirectories(p(f).getParent());
        CaseDir.deleteTree(p(f));
    }
}
