package dev.numpack.hostile;

import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import java.nio.file.Path;

/**
 * Runs one operation of {@link BoundedMemoryTest} in a small heap and prints its outcome: {@code ok}, the
 * simple name of the {@link NumPackException} it threw with the store and array it names, or {@code OOM}.
 *
 * <p>Arguments: the store, the operation, then the operation's own arguments.
 */
public final class BoundedMemoryChild {
    private BoundedMemoryChild() {}

    /** @param args store path, operation, operation arguments */
    public static void main(String[] args) {
        Path store = Path.of(args[0]);
        String op = args[1];
        try (NumPack np = NumPack.open(store)) {
            switch (op) {
                case "open" -> np.names();
                case "gather" -> np.gather(args[2], Long.parseLong(args[3]));
                case "exportNpy" -> np.exportNpy(args[2], Path.of(args[3]));
                case "delete" -> np.delete(args[2], Long.parseLong(args[3]));
                case "load" -> np.load(args[2]);
                default -> throw new IllegalArgumentException(op);
            }
            System.out.println("ok");
        } catch (NumPackException e) {
            System.out.println(e.getClass().getSimpleName() + " store=" + e.store() + " array=" + e.array()
                    + " " + e.getMessage());
        } catch (OutOfMemoryError e) {
            System.out.println("OOM " + e.getMessage());
        }
    }
}
