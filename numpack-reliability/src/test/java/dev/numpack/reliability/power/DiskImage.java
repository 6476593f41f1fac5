package dev.numpack.reliability.power;

import java.util.Map;

/**
 * One instant of a recorded run: what a power loss could not take away (the durable state) and what the
 * file system holds (the current state) of the watched tree. Files and directories are keyed by identity (the
 * inode's file key), directories map names to entries. Byte arrays are shared, never changed.
 *
 * @param label what the instant is, for messages ("fsync dir .", "after append", ...)
 * @param rootKey the watched tree's root directory
 * @param durableDirs each directory's listing at its last fsync (a directory never fsynced has none: empty)
 * @param durableFiles each file's bytes at its last fsync (a file never fsynced has none)
 * @param currentDirs each directory's listing now (a directory removed since has none: empty)
 * @param currentFiles each file's bytes now, deleted files included (their last bytes)
 */
record DiskImage(String label, Object rootKey, Map<Object, Map<String, Entry>> durableDirs,
        Map<Object, byte[]> durableFiles, Map<Object, Map<String, Entry>> currentDirs, Map<Object, byte[]> currentFiles) {

    /**
     * A name in a directory.
     *
     * @param key the identity of the file or directory it names
     * @param dir whether it is a directory
     */
    record Entry(Object key, boolean dir) {
    }
}
