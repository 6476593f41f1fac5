package dev.numpack.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import dev.numpack.io.NpyReader;
import dev.numpack.testkit.NpkLayoutScript;
import dev.numpack.testkit.Python;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint, read from Python: the store through the repository's second, Python implementation of the
 * NumPack layout ({@link NpkLayoutScript}, written from the format's spec), the {@code .npz} export through
 * numpy. Skipped, with the reason shown, where python3 with numpy is missing.
 */
class PythonInteropTest {
    @TempDir
    Path dir;

    @Test
    void pythonReadsTheCheckpointStoreAndTheNpzExport() throws Exception {
        Python.assumeAvailable();
        Path ckpt = dir.resolve("ckpt");
        List<Pair<String, float[]>> params = new ArrayList<>();
        try (Model m = TinyTraining.model(1); NDManager nd = NDManager.newBaseManager()) {
            Optimizer o = TinyTraining.optimizer("adam");
            try (Trainer t = TinyTraining.trainer(m, o);
                    CheckpointManager c = CheckpointManager.builder().setDirectory(ckpt).build()) {
                TinyTraining.fakeSteps(m, o, 3); // moments for every parameter
                for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
                    params.add(new Pair<>(p.getKey(), p.getValue().getArray().toFloatArray()));
                }
                c.save(m, o, TrainingState.builder().setEpoch(0).setStep(3).build()).join();
                c.exportWeights("checkpoint-000000000003", dir.resolve("w.npz"), NDList.Encoding.NPZ, nd);
            }
        }
        Path out = dir.resolve("dump");
        Files.createDirectories(out);
        NpkLayoutScript.run("dump", ckpt.resolve("checkpoint-000000000003").toString(), out.toString());
        for (Pair<String, float[]> p : params) {
            try (NpyReader r = NpyReader.open(out.resolve("param." + p.getKey() + ".npy"))) {
                assertArrayEquals(p.getValue(), r.load().toFloatArray(), p.getKey());
            }
        }
        String meta = Python.run("import json,numpy,sys; m=json.loads(numpy.load(sys.argv[1]).tobytes());"
                + "print(m['format'], m['step'], m['optimizer']['type'], len(m['arrays']))",
                out.resolve("meta.npy").toString());
        assertEquals("numpack-checkpoint/1 3 ai.djl.training.optimizer.Adam " + (params.size() * 3), meta.trim());
        String npz = Python.run("import numpy,sys; z=numpy.load(sys.argv[1]);"
                + "print(' '.join('%s:%s:%.6f' % (k, 'x'.join(map(str, z[k].shape)), float(z[k].sum()))"
                + " for k in sorted(z.files)))",
                dir.resolve("w.npz").toString());
        for (Pair<String, float[]> p : params) {
            double sum = 0;
            for (float v : p.getValue()) {
                sum += v;
            }
            String key = p.getKey() + ":";
            int at = npz.indexOf(key);
            assertTrue(at >= 0, npz);
            String rest = npz.substring(at).split(" ")[0];
            double pySum = Double.parseDouble(rest.substring(rest.lastIndexOf(':') + 1));
            assertEquals(sum, pySum, 1e-3, p.getKey());
        }
    }
}
