package dev.numpack.internal.store;

import dev.numpack.CorruptStoreException;
import dev.numpack.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The file names of a store, and the checks that keep every path inside it.
 *
 * <p>NumPack 0.7 joins array names and {@code data_file} strings to the store path unchecked, so a name
 * like {@code ../x} writes outside the store. Here every name is checked before it becomes a file name,
 * and every path read from a file is resolved and checked to stay below the store directory.
 */
public final class StoreLayout {
    /** The metadata file (NumPack 0.7 layout). */
    public static final String METADATA = "metadata.npkm";
    /** Our redo journal; upstream ignores it. */
    public static final String JOURNAL = "numpack.journal";
    /** Our append log (appends durable before the metadata holds them, see AppendLog); upstream ignores it. */
    public static final String APPEND_LOG = "numpack.appends";
    /** Our writer lock file; upstream ignores it. */
    public static final String LOCK = ".numpack.lock";
    /** Marker in the names of temporary files, which a writer deletes when it opens the store. */
    static final String TEMP_MARK = ".tmp-np"; // package-private for the engine's tests only: main code asks isTemp and tempName
    /** Longest array name, in UTF-8 bytes (file names are limited to 255 bytes). */
    public static final int MAX_NAME_BYTES = 200;

    // The parts of NumPack 0.7's per-array file names; every name is built and recognised here only.
    private static final String DATA_PREFIX = "data_";
    private static final String DATA_SUFFIX = ".npkd";
    private static final String MANIFEST_SUFFIX = ".npkseg";
    private static final String SEGMENT_DIR_SUFFIX = "_segments";
    private static final String SEGMENT_PREFIX = "seg_";
    private static final String BITMAP_PREFIX = "deleted_";
    private static final String BITMAP_SUFFIX = ".npkb";

    private final Path root;

    /** @param root the store directory, absolute and normalized */
    public StoreLayout(Path root) {
        this.root = root;
    }

    /** @return the store directory */
    public Path root() {
        return root;
    }

    /**
     * Checks that an array name can become part of a file name without escaping the store.
     *
     * @param store the store, for the message
     * @param name the proposed name
     * @throws InvalidArgumentException naming what is wrong
     */
    public static void checkName(Path store, String name) {
        String why = nameProblem(name);
        if (why != null) {
            throw new InvalidArgumentException(store, name, "invalid array name: " + why);
        }
    }

    /**
     * @param name a proposed name
     * @return what is wrong with it, or {@code null} if it is fine
     */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "empty";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "longer than " + MAX_NAME_BYTES + " bytes";
        }
        if (name.contains("/") || name.contains("\\")) {
            return "contains a path separator";
        }
        if (name.contains(":")) {
            // resolve refuses stored paths with ':' (a Windows drive, an NTFS stream): the array's own data
            // file would be refused at its commit and at every read
            return "contains ':'";
        }
        if (name.contains("..")) {
            return "contains '..'";
        }
        if (isTemp(name)) {
            return "contains the reserved '" + TEMP_MARK + "'";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "contains a control character";
            }
        }
        return null;
    }

    /** @param name array @return its plain data file, as upstream names it */
    public static String dataFile(String name) {
        return DATA_PREFIX + name + DATA_SUFFIX;
    }

    /** @param name array @return its segment manifest */
    public static String manifestFile(String name) {
        return DATA_PREFIX + name + MANIFEST_SUFFIX;
    }

    /** @param name array @return the directory of its segment files */
    public static String segmentDir(String name) {
        return DATA_PREFIX + name + SEGMENT_DIR_SUFFIX;
    }

    /**
     * @param name array
     * @param index the segment's place in the array, from 0
     * @return upstream's name for that segment file, relative to the store
     */
    public static String segmentFile(String name, int index) {
        return String.format(Locale.ROOT, "%s/%s%06d%s", segmentDir(name), SEGMENT_PREFIX, index, DATA_SUFFIX);
    }

    /**
     * A segment file name for when upstream's name is taken (still referenced by a committed state, or a
     * file is there): upstream's reader takes any name the manifest lists.
     *
     * @param name array
     * @param index the segment's place in the array, from 0
     * @param token a token that makes the name unique
     * @return the name, relative to the store
     */
    public static String segmentFile(String name, int index, String token) {
        return String.format(Locale.ROOT, "%s/%s%06d_%s%s", segmentDir(name), SEGMENT_PREFIX, index, token, DATA_SUFFIX);
    }

    /** @param name array @return its deletion bitmap */
    public static String bitmapFile(String name) {
        return BITMAP_PREFIX + name + BITMAP_SUFFIX;
    }

    /** @param dataFile a data_file value @return whether it names a segment manifest */
    public static boolean isSegmented(String dataFile) {
        return dataFile.endsWith(MANIFEST_SUFFIX);
    }

    /** @param fileName a name in the store directory @return whether it has the shape of a segment directory */
    public static boolean isSegmentDir(String fileName) {
        return fileName.startsWith(DATA_PREFIX) && fileName.endsWith(SEGMENT_DIR_SUFFIX);
    }

    /**
     * @param fileName a name inside a segment directory
     * @return whether this library writes files of that name there (segment files and temporary files),
     *     so that an unreferenced one is a leftover it may delete
     */
    public static boolean isSegmentDirEntry(String fileName) {
        return fileName.startsWith(SEGMENT_PREFIX) || isTemp(fileName);
    }

    /**
     * The array a store file belongs to, so that an error about the file can name it.
     *
     * @param relative a path relative to the store: a data file, manifest, segment directory or segment file,
     *     bitmap, or a temporary file of one of these
     * @return the array's name, or {@code null} for a file of no array (the metadata, the journal, the lock,
     *     anything else)
     */
    public static String arrayOf(String relative) {
        if (relative == null) {
            return null;
        }
        String p = relative;
        int temp = p.indexOf(TEMP_MARK);
        if (temp >= 0) {
            p = p.substring(0, temp);
        }
        int slash = p.indexOf('/');
        if (slash >= 0) {
            p = p.substring(0, slash);
        }
        String name = null;
        if (p.startsWith(DATA_PREFIX)) {
            for (String suffix : new String[] {DATA_SUFFIX, MANIFEST_SUFFIX, SEGMENT_DIR_SUFFIX}) {
                if (p.endsWith(suffix) && p.length() > DATA_PREFIX.length() + suffix.length()) {
                    name = p.substring(DATA_PREFIX.length(), p.length() - suffix.length());
                    break;
                }
            }
        } else if (p.startsWith(BITMAP_PREFIX) && p.endsWith(BITMAP_SUFFIX)
                && p.length() > BITMAP_PREFIX.length() + BITMAP_SUFFIX.length()) {
            name = p.substring(BITMAP_PREFIX.length(), p.length() - BITMAP_SUFFIX.length());
        }
        return name == null || nameProblem(name) != null ? null : name;
    }

    /** @param fileName a file name @return whether it is one of our temporary files */
    public static boolean isTemp(String fileName) {
        return fileName.contains(TEMP_MARK);
    }

    /**
     * @param relative a file name or path relative to the store
     * @param unique a token that makes the name unique
     * @return the name of a temporary file beside it
     */
    public static String tempName(String relative, String unique) {
        return relative + TEMP_MARK + unique;
    }

    /**
     * Resolves a path read from a store file (a {@code data_file} or a segment's {@code file}).
     *
     * @param relative the stored path
     * @param array the array it belongs to, for the message
     * @return the absolute path, inside the store
     * @throws CorruptStoreException if the path is absolute, empty, uses {@code ..}, backslashes or control
     *     characters, or would leave the store
     */
    public Path resolve(String relative, String array) {
        String why = null;
        if (relative.isEmpty()) {
            why = "is empty";
        } else if (relative.startsWith("/") || relative.contains("\\") || relative.contains(":")) {
            why = "is absolute or not a plain relative path";
        } else {
            for (String part : relative.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    why = "has an empty, '.' or '..' component";
                    break;
                }
            }
            for (int i = 0; why == null && i < relative.length(); i++) {
                if (Character.isISOControl(relative.charAt(i))) {
                    why = "contains a control character";
                }
            }
        }
        Path p = null;
        if (why == null) {
            try {
                p = root.resolve(relative).normalize();
                if (!p.startsWith(root)) {
                    why = "leaves the store";
                }
            } catch (java.nio.file.InvalidPathException e) {
                why = "is not a valid path";
            }
        }
        if (why != null) {
            throw new CorruptStoreException(root, array, "stored path '" + printable(relative) + "' " + why);
        }
        return p;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    /**
     * Checks that a data file path read from the store is one this array may own, as NumPack 0.7 names
     * them: {@code data_<name>.npkd}, {@code data_<name>.npkseg}, or a file directly inside
     * {@code data_<name>_segments/}. Two arrays can then never share a file, so no write, truncation or
     * deletion of one array's files can touch another's or the store's own files.
     *
     * @param relative the stored path
     * @param array the array's name
     * @param segment whether it is a segment file (else the record's data_file)
     * @return why it is not acceptable, or {@code null}
     */
    public static String ownershipProblem(String relative, String array, boolean segment) {
        if (!segment) {
            return relative.equals(dataFile(array)) || relative.equals(manifestFile(array)) ? null
                    : "is not this array's data file (" + dataFile(array) + " or " + manifestFile(array) + ")";
        }
        String dir = segmentDir(array) + "/";
        return relative.startsWith(dir) && relative.indexOf('/', dir.length()) < 0 && relative.length() > dir.length()
                && !isTemp(relative) ? null : "is not a file directly inside " + dir;
    }

    /**
     * Checks that a file we are about to read or write is a plain file inside the store: not a symbolic
     * link (which could lead outside), not a pipe or device (which could block or never end), and not in a
     * linked directory.
     *
     * @param file an absolute path inside the store
     * @return why it is not acceptable, or {@code null} (also when it does not exist)
     */
    public String fileProblem(Path file) {
        if (!java.nio.file.Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!java.nio.file.Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return "is not a regular file (a link, directory, pipe or device)";
        }
        Path parent = file.getParent();
        if (!parent.equals(root) && java.nio.file.Files.isSymbolicLink(parent)) {
            return "lies in a linked directory";
        }
        return null;
    }

    /**
     * {@link #fileProblem}, and for a file about to be written in place (appended to, rows replaced,
     * truncated): no other hard link, since writing would change that other name's content too, which may
     * lie outside the store. Reading such a file is harmless, and files replaced by rename are unaffected.
     *
     * @param file an absolute path inside the store
     * @return why it must not be written in place, or {@code null}
     */
    public String inPlaceWriteProblem(Path file) {
        String bad = fileProblem(file);
        if (bad != null) {
            return bad;
        }
        try {
            Object links = java.nio.file.Files.getAttribute(file, "unix:nlink", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (links instanceof Integer && (Integer) links > 1) {
                return "has other hard links (writing it in place would change them too)";
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (UnsupportedOperationException | IllegalArgumentException | java.io.IOException e) {
            // no unix attributes here: links cannot be counted
        }
        return null;
    }

    /** @param relative a path we made ourselves @return it resolved against the store */
    public Path path(String relative) {
        return root.resolve(relative);
    }
}
