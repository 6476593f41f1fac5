package dev.numpack.io;

import dev.numpack.io.DatasetManifest.Shard;
import java.nio.file.Path;
import java.util.List;

/** A second process appending shards to a dataset's manifest: args are the directory, a name prefix, a count. */
public final class ManifestUpdateChild {
    private ManifestUpdateChild() {
    }

    /**
     * @param args dataset directory, shard name prefix, number of updates
     * @throws Exception on failure (the parent sees a non-zero exit)
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
            String name = args[1] + i;
            DatasetManifest.update(dir, m -> m.withShards(List.of(new Shard(name, 1))));
        }
    }
}
