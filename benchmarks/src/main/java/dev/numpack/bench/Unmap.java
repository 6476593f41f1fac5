package dev.numpack.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a {@link MappedByteBuffer} at once ({@code sun.misc.Unsafe.invokeCleaner}, as Lucene does), so
 * that baselines which map per operation do not pile up mappings until the next GC.
 */
final class Unmap {
    private static final MethodHandle INVOKE_CLEANER;

    static {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            INVOKE_CLEANER = MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Unmap() {}

    /** @param b a mapping (not a slice or duplicate); must not be used afterwards */
    static void unmap(MappedByteBuffer b) {
        if (b == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) b);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
