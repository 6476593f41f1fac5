package dev.numpack.examples;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 of every parameter's name, shape and bytes, in the block's own (fixed) parameter order: two runs
 * that end with the same digest end with bit-identical models.
 */
public final class ParameterDigest {
    private ParameterDigest() {}

    /** @param block an initialised block @return 64 lower-case hex digits */
    public static String of(Block block) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            sha.update(p.getKey().getBytes(StandardCharsets.UTF_8));
            sha.update(p.getValue().getArray().getShape().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(p.getValue().getArray().toByteArray());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
