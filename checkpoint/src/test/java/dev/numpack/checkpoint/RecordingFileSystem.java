package dev.numpack.checkpoint;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The default file system, seen through paths that record what durability depends on: every fsync of a
 * file ({@code "fsync <name>"}) or directory ({@code "fsync dir <name>"}) and every rename
 * ({@code "rename <from> <to>"}), in order. A test hands one of its paths to code under test and reads
 * {@link #events()}: the order of the steps is observed in the real calls, with no hook in the code.
 */
final class RecordingFileSystem extends FileSystem {
    private final FileSystem base = FileSystems.getDefault();
    private final Provider provider = new Provider();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    /** @return {@code p} (of the default file system) as a recorded path */
    Path wrap(Path p) {
        return p == null ? null : new RecordedPath(p);
    }

    /** @return what was recorded so far */
    List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    private static Path unwrap(Path p) {
        return p instanceof RecordedPath ? ((RecordedPath) p).base : p;
    }

    private static String name(Path p) {
        Path n = unwrap(p).getFileName();
        return n == null ? unwrap(p).toString() : n.toString();
    }

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("the default file system stays open");
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return base.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        List<Path> roots = new ArrayList<>();
        base.getRootDirectories().forEach(r -> roots.add(wrap(r)));
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return base.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return base.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return wrap(base.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = base.getPathMatcher(syntaxAndPattern);
        return p -> m.matches(unwrap(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return base.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException();
    }

    /** A default path that answers to this file system. */
    private final class RecordedPath implements Path {
        final Path base;

        RecordedPath(Path base) {
            this.base = base;
        }

        @Override
        public FileSystem getFileSystem() {
            return RecordingFileSystem.this;
        }

        @Override
        public boolean isAbsolute() {
            return base.isAbsolute();
        }

        @Override
        public Path getRoot() {
            return wrap(base.getRoot());
        }

        @Override
        public Path getFileName() {
            return wrap(base.getFileName());
        }

        @Override
        public Path getParent() {
            return wrap(base.getParent());
        }

        @Override
        public int getNameCount() {
            return base.getNameCount();
        }

        @Override
        public Path getName(int index) {
            return wrap(base.getName(index));
        }

        @Override
        public Path subpath(int beginIndex, int endIndex) {
            return wrap(base.subpath(beginIndex, endIndex));
        }

        @Override
        public boolean startsWith(Path other) {
            return base.startsWith(unwrap(other));
        }

        @Override
        public boolean endsWith(Path other) {
            return base.endsWith(unwrap(other));
        }

        @Override
        public Path normalize() {
            return wrap(base.normalize());
        }

        @Override
        public Path resolve(Path other) {
            return wrap(base.resolve(unwrap(other)));
        }

        @Override
        public Path relativize(Path other) {
            return wrap(base.relativize(unwrap(other)));
        }

        @Override
        public URI toUri() {
            return base.toUri();
        }

        @Override
        public Path toAbsolutePath() {
            return wrap(base.toAbsolutePath());
        }

        @Override
        public Path toRealPath(LinkOption... options) throws IOException {
            return wrap(base.toRealPath(options));
        }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compareTo(Path other) {
            return base.compareTo(unwrap(other));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RecordedPath && base.equals(((RecordedPath) o).base);
        }

        @Override
        public int hashCode() {
            return base.hashCode();
        }

        @Override
        public String toString() {
            return base.toString();
        }
    }

    /** Forwards to the default provider; records renames, and fsyncs through {@link RecordedChannel}. */
    private final class Provider extends FileSystemProvider {
        private final FileSystemProvider to = base.provider();

        @Override
        public String getScheme() {
            return "recorded";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Path getPath(URI uri) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                FileAttribute<?>... attrs) throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            return new RecordedChannel(to.newFileChannel(unwrap(path), options, attrs), unwrap(path));
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) {
            throw new UnsupportedOperationException("not needed by the tests");
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            to.createDirectory(unwrap(dir), attrs);
        }

        @Override
        public void delete(Path path) throws IOException {
            to.delete(unwrap(path));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            to.copy(unwrap(source), unwrap(target), options);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            to.move(unwrap(source), unwrap(target), options);
            events.add("rename " + name(source) + " " + name(target));
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return to.isSameFile(unwrap(path), unwrap(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return to.isHidden(unwrap(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            return to.getFileStore(unwrap(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            to.checkAccess(unwrap(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return to.getFileAttributeView(unwrap(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
                throws IOException {
            return to.readAttributes(unwrap(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
                throws IOException {
            return to.readAttributes(unwrap(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            to.setAttribute(unwrap(path), attribute, value, options);
        }
    }

    /** A default channel whose fsyncs are recorded, after they succeed. */
    private final class RecordedChannel extends FileChannel {
        private final FileChannel ch;
        private final Path path;

        RecordedChannel(FileChannel ch, Path path) {
            this.ch = ch;
            this.path = path;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            ch.force(metaData);
            events.add((Files.isDirectory(path) ? "fsync dir " : "fsync ") + name(path));
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return ch.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return ch.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return ch.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return ch.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            ch.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            ch.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return ch.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return ch.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return ch.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return ch.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return ch.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return ch.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return ch.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            ch.close();
        }
    }
}
