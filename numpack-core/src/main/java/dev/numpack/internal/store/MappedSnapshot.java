package dev.numpack.internal.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A committed snapshot and the mappings made of it, published together so that a reader sees one pair.
 * The snapshot is immutable; the map only gains mappings of its entries (a writable store maps an array
 * when it is first read).
 */
final class MappedSnapshot {
    final StoreSnapshot snap;
    final Map<String, MappedArray> maps;

    /** @param snap the committed state @param maps mappings of its entries, by array name */
    MappedSnapshot(StoreSnapshot snap, Map<String, MappedArray> maps) {
        this.snap = snap;
        this.maps = maps;
    }

    /** @param snap the committed state, with no array mapped yet */
    MappedSnapshot(StoreSnapshot snap) {
        this(snap, new ConcurrentHashMap<>());
    }

    /**
     * @param next the snapshot a commit made of this one
     * @return {@code next} with the mappings of the arrays the commit left unchanged (theirs stay valid)
     */
    MappedSnapshot next(StoreSnapshot next) {
        Map<String, MappedArray> kept = new ConcurrentHashMap<>();
        for (Map.Entry<String, MappedArray> m : maps.entrySet()) {
            if (next.get(m.getKey()) == m.getValue().entry()) {
                kept.put(m.getKey(), m.getValue());
            }
        }
        return new MappedSnapshot(next, kept);
    }

    /** Closes the channels kept for positional reads; views of this snapshot read from the mappings. */
    void closeReaders() {
        closeReaders(maps);
    }

    /** @param maps mappings whose positional-read channels are to be closed */
    static void closeReaders(Map<String, MappedArray> maps) {
        for (MappedArray m : maps.values()) {
            m.data().closeReaders();
        }
    }
}
