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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint, read from Python: the store through the repository's second, Python implementation of the
 * NumPack layout ({@code npk_layout.py}, written from the format's spec), the {@code .npz} export through
 * numpy. Skipped, with the reason shown, where python3 with numpy is missing.
 */
class PythonInteropTest {
    private static final Path LAYOUT = Path.of("..", "numpack-core", "src", "test", "resources", "interop",
            "npk_layout.py");

    @TempDir
    Path dir;

    private static String python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static boolean numpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void pythonReadsTheCheckpointStoreAndTheNpzExport() throws Exception {
        Assumptions.assumeTrue(numpy(), "python3 with numpy not found: Python interop skipped");
        assertTrue(Files.exists(LAYOUT), LAYOUT.toAbsolutePath().toString());
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
        python(LAYOUT.toString(), "dump", ckpt.resolve("checkpoint-000000000003").toString(), out.toString());
        for (Pair<String, float[]> p : params) {
            try (NpyReader r = NpyReader.open(out.resolve("param." + p.getKey() + ".npy"))) {
                assertArrayEquals(p.getValue(), r.load().toFloatArray(), p.getKey());
            }
        }
        String meta = python("-c", "import json,numpy,sys; m=json.loads(numpy.load(sys.argv[1]).tobytes());"
                + "print(m['format'], m['step'], m['optimizer']['type'], len(m['arrays']))",
                out.resolve("meta.npy").toString());
        assertEquals("numpack-checkpoint/1 3 ai.djl.training.optimizer.Adam " + (params.size() * 3), meta.trim());
        String npz = python("-c", "import numpy,sys; z=numpy.load(sys.argv[1]);"
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
