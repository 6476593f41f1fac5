package dev.numpack.internal.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * {@link NativeIo} through the FFM API ({@code java.lang.foreign}), for Java 22 and later: the C library's
 * {@code open}, {@code fallocate}, {@code close}, {@code mmap}, {@code munmap} and {@code madvise} as
 * downcall handles. Compiled with {@code --release 22} into the jar's {@code META-INF/versions/22}, so a
 * Java 17 runtime never sees it; loaded only by name ({@link NativeIo#ffm}).
 */
final class FfmIo extends NativeIo {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    private final MethodHandle open;
    private final MethodHandle fallocate;
    private final MethodHandle close;
    private final MethodHandle mmap;
    private final MethodHandle munmap;
    private final MethodHandle madvise;

    /**
     * @param onlyIfEnabled refuse (throw) unless native access is enabled for this code, so that binding the
     *     calls makes the JVM print no warning
     */
    FfmIo(boolean onlyIfEnabled) {
        if (onlyIfEnabled && !FfmIo.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException("native access is not enabled for " + FfmIo.class.getModule());
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        open = bind(linker, libc, "open", FunctionDescriptor.of(INT, PTR, INT));
        fallocate = bind(linker, libc, "fallocate", FunctionDescriptor.of(INT, INT, INT, LONG, LONG));
        close = bind(linker, libc, "close", FunctionDescriptor.of(INT, INT));
        mmap = bind(linker, libc, "mmap", FunctionDescriptor.of(PTR, PTR, LONG, INT, INT, INT, LONG));
        munmap = bind(linker, libc, "munmap", FunctionDescriptor.of(INT, PTR, LONG));
        madvise = bind(linker, libc, "madvise", FunctionDescriptor.of(INT, PTR, LONG, INT));
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in libc"));
        return linker.downcallHandle(symbol, fd);
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    protected boolean reserve(String path, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) open.invokeExact(arena.allocateFrom(path), O_WRONLY);
            if (fd < 0) {
                return false;
            }
            try {
                return (int) fallocate.invokeExact(fd, FALLOC_FL_KEEP_SIZE, 0L, bytes) == 0;
            } finally {
                int ignored = (int) close.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected long map(long length) {
        try {
            MemorySegment a = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            return a.address() == -1 ? 0 : a.address(); // MAP_FAILED
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected void unmap(long address, long length) {
        try {
            int ignored = (int) munmap.invokeExact(MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected void adviseHuge(long address, long length) {
        try {
            int ignored = (int) madvise.invokeExact(MemorySegment.ofAddress(address), length, MADV_HUGEPAGE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    protected void zero(long address, long length) {
        MemorySegment.ofAddress(address).reinterpret(length).fill((byte) 0);
    }

    @Override
    protected ByteBuffer bufferAt(long address, int bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes).asByteBuffer();
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
