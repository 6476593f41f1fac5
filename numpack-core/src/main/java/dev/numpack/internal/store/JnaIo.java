package dev.numpack.internal.store;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * {@link NativeIo} through JNA, for Java 17 to 21 (and where forced): the C library's {@code open},
 * {@code fallocate}, {@code close}, {@code mmap}, {@code munmap} and {@code madvise}. Loaded only by name
 * ({@link NativeIo#jna}), so numpack-core works without JNA on the class path; DJL's {@code api} module
 * brings JNA 5 along, so DJL users have it.
 */
final class JnaIo extends NativeIo {
    /** The C library's calls, as JNA binds them by name; sizes and offsets are 64-bit on the platforms used. */
    interface LibC extends Library {
        int open(String path, int flags);

        int fallocate(int fd, int mode, long offset, long length);

        int close(int fd);

        Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset);

        int munmap(Pointer address, long length);

        int madvise(Pointer address, long length, int advice);
    }

    private final LibC c;

    /**
     * @param onlyIfEnabled unused: JNA loads its own JNI library, which Java 17 to 21 allow without a flag
     */
    JnaIo(boolean onlyIfEnabled) {
        this.c = Native.load("c", LibC.class);
    }

    @Override
    public String name() {
        return "jna";
    }

    @Override
    protected boolean reserve(String path, long bytes) {
        int fd = c.open(path, O_WRONLY);
        if (fd < 0) {
            return false;
        }
        try {
            return c.fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, bytes) == 0;
        } finally {
            c.close(fd);
        }
    }

    @Override
    protected long map(long length) {
        long a = Pointer.nativeValue(c.mmap(null, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0));
        return a == -1 ? 0 : a; // MAP_FAILED
    }

    @Override
    protected void unmap(long address, long length) {
        c.munmap(new Pointer(address), length);
    }

    @Override
    protected void adviseHuge(long address, long length) {
        c.madvise(new Pointer(address), length, MADV_HUGEPAGE);
    }

    @Override
    protected void zero(long address, long length) {
        new Pointer(address).setMemory(0, length, (byte) 0);
    }

    @Override
    protected ByteBuffer bufferAt(long address, int bytes) {
        return new Pointer(address).getByteBuffer(0, bytes);
    }
}
