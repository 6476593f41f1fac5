package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void floatRoundTrip() {
        assertArrayEquals(new float[] {1, 2, 3, 4}, NdArray.of(new float[][] {{1, 2}, {3, 4}}).toFloatArray());
    }
}
