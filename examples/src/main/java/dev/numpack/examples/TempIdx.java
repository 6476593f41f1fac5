package dev.numpack.examples;

// TEMPORARY until NumPack.importIdx lands: do not commit
final class TempIdx {
    static void importIdx(dev.numpack.NumPack np, String name, java.nio.file.Path p, dev.numpack.ProgressListener pl) throws java.io.IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(p))))) {
            int magic = in.readInt();
            int nd = magic & 0xff;
            long[] shape = new long[nd];
            long n = 1;
            for (int i = 0; i < nd; i++) { shape[i] = in.readInt(); n *= shape[i]; }
            byte[] b = in.readNBytes((int) n);
            np.save(name, dev.numpack.NdArray.ofUint8(b).reshape(shape));
            pl.update(1, 1);
        }
    }
}
