package dev.numpack.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tensor's own memory as a buffer, where the engine hands it out: data can then be read from a store
 * straight into a tensor, with no staging copy (batches of {@link NumPackDataset}, checkpoint restores).
 *
 * <p>{@link NDArray#toByteBuffer(boolean)} promises that a direct buffer shares the tensor's memory, but
 * an engine may return a direct copy instead (PyTorch does for MKLDNN tensors and off the CPU), so that is
 * checked once per engine and layout: write a pattern through the buffer, read it back through the tensor.
 */
public final class TensorMemory {
    private static final Map<String, Boolean> SHARED = new ConcurrentHashMap<>();

    private TensorMemory() {}

    /**
     * @param a a dense tensor
     * @return its memory as a little-endian buffer of exactly its bytes, position 0, or {@code null} if the
     *     engine does not share it (then write a buffer with {@code set} instead)
     */
    public static ByteBuffer own(NDArray a) {
        if (!Device.Type.CPU.equals(a.getDevice().getDeviceType()) || a.isSparse() || !shares(a.getManager())) {
            return null;
        }
        long bytes = a.getShape().size() * a.getDataType().getNumOfBytes();
        ByteBuffer b = a.toByteBuffer(true);
        if (!b.isDirect() || b.capacity() != bytes) {
            return null;
        }
        return b.order(ByteOrder.LITTLE_ENDIAN).clear();
    }

    /**
     * @param manager a manager
     * @return whether new CPU tensors of this manager hand out their own memory (checked once per engine and
     *     layout); false on a big-endian machine, where the format's little-endian bytes would need swapping
     */
    public static boolean shares(NDManager manager) {
        if (!Device.Type.CPU.equals(manager.getDevice().getDeviceType())
                || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return false;
        }
        String key = manager.getEngine().getEngineName() + " mkldnn="
                + System.getProperty("ai.djl.pytorch.use_mkldnn", "false");
        return SHARED.computeIfAbsent(key, k -> {
            try (NDArray probe = manager.create(new Shape(64), DataType.UINT8)) {
                ByteBuffer b = probe.toByteBuffer(true);
                if (!b.isDirect() || b.capacity() != 64) {
                    return false;
                }
                for (int i = 0; i < 64; i++) {
                    b.put(i, (byte) (i * 37 + 11));
                }
                byte[] back = probe.toByteArray();
                for (int i = 0; i < 64; i++) {
                    if (back[i] != (byte) (i * 37 + 11)) {
                        return false;
                    }
                }
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }
}
