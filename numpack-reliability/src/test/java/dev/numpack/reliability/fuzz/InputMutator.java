package dev.numpack.reliability.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes one damaged input file of an input {@link Kind} into the case's {@code in/} directory: a {@code .npy}
 * file whose header (magic, version, length, dictionary: descr, fortran_order, shape) or data is wrong, an
 * {@code .npz} archive whose entries, names, sizes, offsets or members are wrong, or an IDX file whose type,
 * dimensions or data are wrong, gzipped or not.
 */
final class InputMutator {
    private static final String[] DESCRS = {"<f4", "<f8", "<i4", "<i8", "|u1", "|i1", "|b1", "<u2", "<i2", "<f2",
        "<c8", "<c16", ">f4", ">i8", ">c16", "<u8", "<u4"};
    private static final int[] ITEM = {4, 8, 4, 8, 1, 1, 1, 2, 2, 2, 8, 16, 4, 8, 16, 8, 4};

    private final SplittableRandom r;
    private String what;

    InputMutator(SplittableRandom r) {
        this.r = r;
    }

    /** @return what the last {@link #write} did */
    String what() {
        return what;
    }

    /** Writes the damaged input of {@code kind} into {@code in}; @return its path */
    Path write(Kind kind, Path in) throws IOException {
        return switch (kind) {
            case NPY -> {
                Path f = in.resolve("input.npy");
                Files.write(f, npy(true));
                yield f;
            }
            case NPZ -> {
                Path f = in.resolve("input.npz");
                Files.write(f, npz());
                yield f;
            }
            case IDX -> {
                Path f = in.resolve(r.nextBoolean() ? "input.idx" : "input.idx.gz");
                Files.write(f, idx(f.toString().endsWith(".gz")));
                yield f;
            }
            default -> throw new IllegalArgumentException(kind + " is not an input kind");
        };
    }

    // ------------------------------------------------------------------ .npy

    /** A valid .npy of a random type and small shape, then (if {@code damage}) one change to it. */
    byte[] npy(boolean damage) {
        int t = r.nextInt(DESCRS.length);
        String descr = DESCRS[t];
        long[] shape = switch (r.nextInt(5)) {
            case 0 -> new long[] {};
            case 1 -> new long[] {1 + r.nextInt(9)};
            case 2 -> new long[] {r.nextInt(5), 1 + r.nextInt(4)};
            case 3 -> new long[] {2, 3, 1 + r.nextInt(3)};
            default -> new long[] {0, 5};
        };
        boolean fortran = r.nextInt(4) == 0;
        int version = Edge.pick(r, 1, 1, 2, 3);
        String shapeText = shapeText(shape);
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        int dataLen = (int) (count * ITEM[t]);
        String desc = "npy v" + version + " " + descr + " " + shapeText + (fortran ? " F" : "");
        if (!damage) {
            what = desc;
            return npyBytes(version, dict(descr, fortran, shapeText), dataLen, t == 6);
        }
        switch (r.nextInt(9)) {
            case 0 -> {
                String d = Edge.pick(r, "|O", "<U3", "V8", "<i16", "<f16", "x", "", "<M8", "|S4", "<f4 ", "'<f4'", "<b1",
                        ">b1", "=f4", "<c32", "[('a','<f4')]");
                what = desc + ", descr -> " + d;
                return npyBytes(version, dict(d, fortran, shapeText), dataLen, false);
            }
            case 1 -> {
                String s = Edge.pick(r, "()", "(0,)", "(-1,)", "(9223372036854775807,)", "(9223372036854775808,)",
                        "(4611686018427387904, 4)", "(2147483648, 2147483648)", "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,"
                        + " 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33)",
                        "(3, 4", "3", "(3,,)", "(a,)", "(0, 9223372036854775807)", "(9223372036854775807, 0)",
                        "(0, 4611686018427387904, 4611686018427387904)", "(1000000000000, 1000000000000)", "(1e3,)",
                        "(0x10,)", "(" + "1, ".repeat(5000) + ")", "(99999999999999999999999999,)", "[3]");
                what = desc + ", shape -> " + StoreMutator.printable(s);
                return npyBytes(version, dict(descr, fortran, s), dataLen, t == 6);
            }
            case 2 -> {
                String f = Edge.pick(r, "1", "None", "'False'", "true", "", "False,");
                what = desc + ", fortran_order -> " + f;
                return npyBytes(version, "{'descr': '" + descr + "', 'fortran_order': " + f + ", 'shape': " + shapeText
                        + ", }", dataLen, t == 6);
            }
            case 3 -> {
                String d = Edge.pick(r, "{}", "", "{'descr': '" + descr + "'}", "{'descr': '" + descr + "', 'shape': "
                        + shapeText + "}", "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText
                        + ", 'descr': '<f8'}", "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText
                        + ", 'extra': 1}", "{\"descr\": \"" + descr + "\", \"fortran_order\": false, \"shape\": "
                        + shapeText + "}", "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText,
                        "{'descr': '" + descr + "' 'fortran_order': False 'shape': " + shapeText + "}",
                        "{'descr': u'" + descr + "', 'fortran_order': False, 'shape': " + shapeText + "}",
                        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + "}\u0000\u00ff",
                        "{" + "'a': {".repeat(2000) + "}".repeat(2001));
                what = desc + ", dictionary -> " + StoreMutator.printable(d);
                return npyBytes(version, d, dataLen, t == 6);
            }
            case 4 -> {
                int v = Edge.pick(r, 0, 4, 255, 2, 3, 1);
                int minor = Edge.pick(r, 0, 0, 1, 255);
                byte[] b = npyBytes(version, dict(descr, fortran, shapeText), dataLen, t == 6);
                b[6] = (byte) v;
                b[7] = (byte) minor;
                what = desc + ", version bytes -> " + v + "." + minor;
                return b;
            }
            case 5 -> {
                byte[] b = npyBytes(version, dict(descr, fortran, shapeText), dataLen, t == 6);
                long v = Edge.value(r, 0);
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                if (version == 1) {
                    bb.putShort(8, (short) v);
                } else {
                    bb.putInt(8, (int) v);
                }
                what = desc + ", header length -> " + (version == 1 ? (short) v & 0xFFFF : (int) v);
                return b;
            }
            case 6 -> {
                byte[] b = npyBytes(version, dict(descr, fortran, shapeText), dataLen, t == 6);
                int cut = b.length == 0 ? 0 : r.nextInt(b.length + 1);
                int extra = r.nextInt(3) == 0 ? 1 + r.nextInt(64) : 0;
                what = desc + ", cut to " + cut + " of " + b.length + (extra > 0 ? " then " + extra + " bytes appended" : "");
                return Arrays.copyOf(Arrays.copyOf(b, cut), cut + extra);
            }
            case 7 -> {
                byte[] b = npyBytes(version, dict(descr, fortran, shapeText), dataLen, t == 6);
                int pos = r.nextInt(Math.min(b.length, 10));
                b[pos] ^= (byte) (1 << r.nextInt(8));
                what = desc + ", magic/version bit flipped at " + pos;
                return b;
            }
            default -> {
                byte[] b = npyBytes(version, dict(descr, fortran, shapeText), dataLen, t == 6);
                int k = 1 + r.nextInt(6);
                for (int i = 0; i < k; i++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                what = desc + ", " + k + " random bytes set";
                return b;
            }
        }
    }

    private static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape
                + ", }";
    }

    private byte[] npyBytes(int version, String dict, int dataLen, boolean bool) {
        byte[] text = dict.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = version == 1 ? 10 : 12;
        int total = prefix + text.length + 1;
        int padded = (total + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(padded + dataLen).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) (padded - prefix));
        } else {
            b.putInt(padded - prefix);
        }
        b.put(text);
        while (b.position() < padded - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        for (int i = 0; i < dataLen; i++) {
            b.put((byte) (bool ? i & 1 : r.nextInt(256)));
        }
        return b.array();
    }

    // ------------------------------------------------------------------ .npz

    private byte[] npz() throws IOException {
        int members = 1 + r.nextInt(3);
        boolean deflate = r.nextBoolean();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        StringBuilder desc = new StringBuilder("npz " + (deflate ? "deflated" : "stored") + " [");
        int damagedMember = r.nextInt(3) == 0 ? r.nextInt(members) : -1;
        String oddName = r.nextInt(4) == 0 ? Edge.pick(r, "../x.npy", "a/b.npy", ".npy", "x", "x.npy", "..npy",
                "n".repeat(300) + ".npy", "/abs.npy", "x\u0000.npy", "metadata.npy") : null;
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (int i = 0; i < members; i++) {
                byte[] data = npy(i == damagedMember);
                String name = i == 0 && oddName != null ? oddName : "m" + i + ".npy";
                ZipEntry e = new ZipEntry(name);
                if (!deflate) {
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(data.length);
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(data);
                z.closeEntry();
                desc.append(StoreMutator.printable(name)).append(": ").append(what).append("; ");
            }
        }
        byte[] zip = bos.toByteArray();
        lastZip = zip;
        desc.append(']');
        if (damagedMember < 0 && oddName == null || r.nextBoolean()) {
            desc.append(", ").append(damageZip(zip));
        }
        what = desc.toString();
        return lastZip;
    }

    private byte[] lastZip;

    /** One change to the zip structure: a field of a local header, a central entry or the end record, or a cut. */
    private String damageZip(byte[] zip) {
        byte[] z = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = lastIndexOf(z, 0x06054b50);
        int central = lastIndexOf(z, 0x02014b50);
        int local = indexOf(z, 0x04034b50);
        switch (r.nextInt(5)) {
            case 0 -> {
                // end record: entries on disk, entries, directory size, directory offset, comment length
                int[] offs = {8, 10, 12, 16, 20};
                int[] widths = {2, 2, 4, 4, 2};
                int k = r.nextInt(offs.length);
                long v = Edge.value(r, 0);
                put(b, eocd + offs[k], widths[k], v);
                lastZip = z;
                return "end record field +" + offs[k] + " -> " + v;
            }
            case 1 -> {
                // central entry: method, crc, compressed size, size, name length, extra length, local offset
                int[] offs = {10, 16, 20, 24, 28, 30, 42};
                int[] widths = {2, 4, 4, 4, 2, 2, 4};
                int k = r.nextInt(offs.length);
                long v = Edge.value(r, 0);
                put(b, central + offs[k], widths[k], v);
                lastZip = z;
                return "last central entry field +" + offs[k] + " -> " + v;
            }
            case 2 -> {
                // local header: method, crc, compressed size, size, name length, extra length
                int[] offs = {8, 14, 18, 22, 26, 28};
                int[] widths = {2, 4, 4, 4, 2, 2};
                int k = r.nextInt(offs.length);
                long v = Edge.value(r, 0);
                put(b, local + offs[k], widths[k], v);
                lastZip = z;
                return "first local header field +" + offs[k] + " -> " + v;
            }
            case 3 -> {
                int cut = r.nextInt(z.length);
                lastZip = Arrays.copyOf(z, cut);
                return "cut to " + cut + " of " + z.length;
            }
            default -> {
                int k = 1 + r.nextInt(8);
                for (int i = 0; i < k; i++) {
                    z[r.nextInt(z.length)] ^= (byte) (1 << r.nextInt(8));
                }
                lastZip = z;
                return k + " bits flipped";
            }
        }
    }

    private static void put(ByteBuffer b, int off, int width, long v) {
        if (off < 0 || off + width > b.capacity()) {
            return;
        }
        if (width == 2) {
            b.putShort(off, (short) v);
        } else {
            b.putInt(off, (int) v);
        }
    }

    private static int indexOf(byte[] z, int sig) {
        ByteBuffer b = ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= z.length; i++) {
            if (b.getInt(i) == sig) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] z, int sig) {
        ByteBuffer b = ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = z.length - 4; i >= 0; i--) {
            if (b.getInt(i) == sig) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ IDX

    private byte[] idx(boolean gzip) throws IOException {
        int[] types = {0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E};
        int[] sizes = {1, 1, 2, 4, 4, 8};
        int t = r.nextInt(types.length);
        int ndim = 1 + r.nextInt(3);
        long[] dims = new long[ndim];
        long count = 1;
        for (int i = 0; i < ndim; i++) {
            dims[i] = r.nextInt(5);
            count *= dims[i];
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * ndim + (int) count * sizes[t]).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0).put((byte) 0).put((byte) types[t]).put((byte) ndim);
        for (long d : dims) {
            b.putInt((int) d);
        }
        byte[] raw = b.array();
        String desc = "idx type " + types[t] + " dims " + Arrays.toString(dims) + (gzip ? " gz" : "");
        switch (r.nextInt(6)) {
            case 0 -> {
                int v = Edge.pick(r, 0, 1, 0x0A, 0x0F, 0xFF, 0x07);
                raw[2] = (byte) v;
                desc += ", type -> " + v;
            }
            case 1 -> {
                int v = Edge.pick(r, 0, 4, 5, 255, 17);
                raw[3] = (byte) v;
                desc += ", ndim -> " + v;
            }
            case 2 -> {
                long v = Edge.value(r, 0);
                b.putInt(4 + 4 * r.nextInt(ndim), (int) v);
                desc += ", a dimension -> " + (int) v;
            }
            case 3 -> {
                int cut = r.nextInt(raw.length + 1);
                raw = Arrays.copyOf(raw, cut);
                desc += ", cut to " + cut + " of " + b.capacity();
            }
            case 4 -> {
                raw = Arrays.copyOf(raw, raw.length + 1 + r.nextInt(9));
                desc += ", bytes appended";
            }
            default -> {
                raw[r.nextInt(2)] = (byte) (1 + r.nextInt(255));
                desc += ", magic zero bytes set";
            }
        }
        if (gzip) {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
                g.write(raw);
            }
            raw = bos.toByteArray();
            if (r.nextInt(3) == 0) {
                int pos = r.nextInt(raw.length);
                raw[pos] ^= (byte) (1 << r.nextInt(8));
                desc += ", gzip bit flipped at " + pos;
            } else if (r.nextInt(3) == 0) {
                int cut = r.nextInt(raw.length);
                raw = Arrays.copyOf(raw, cut);
                desc += ", gzip cut to " + cut;
            }
        }
        what = desc;
        return raw;
    }
}
