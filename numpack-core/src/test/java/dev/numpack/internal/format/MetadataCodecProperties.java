package dev.numpack.internal.format;

import dev.numpack.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Generated round trips and mutations of {@code metadata.npkm}. */
class MetadataCodecProperties {

    @Provide
    Arbitrary<ArrayRecord> records() {
        Arbitrary<String> names = Arbitraries.strings().ofMinLength(1).ofMaxLength(40)
                .withCharRange('a', 'z').withChars('é', '日', '_', '-', '.');
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 6).array(long[].class).ofMaxSize(5);
        Arbitrary<DType> dtypes = Arbitraries.of(DType.class);
        Arbitrary<Long> micros = Arbitraries.longs();
        Arbitrary<byte[]> blocks = Arbitraries.integers().between(-1, 3).map(n -> n < 0 ? null : MetadataCodecTest.blockInfo(n));
        return Combinators.combine(names, shapes, dtypes, micros, blocks)
                .as((n, s, t, m, bi) -> new ArrayRecord(n, s, "data_" + n + ".npkd", m, t, 0, 0, 0, 0, bi));
    }

    @Property(tries = 300)
    void roundTrip(@ForAll @Size(max = 8) List<@From("records") ArrayRecord> generated) {
        List<ArrayRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ArrayRecord r : generated) {
            if (seen.add(r.name())) {
                records.add(r);
            }
        }
        ByteBuffer enc = MetadataCodec.encode(records);
        List<ArrayRecord> back = MetadataCodec.decode(enc.duplicate());
        assertEquals(records.size(), back.size());
        for (int i = 0; i < records.size(); i++) {
            MetadataCodecTest.assertSame(records.get(i), back.get(i));
        }
        assertArrayEquals(MetadataCodecTest.bytes(enc), MetadataCodecTest.bytes(MetadataCodec.encode(back)));
    }

    /** Any mutation either decodes (to a self-consistent result) or raises FormatException; nothing else. */
    @Property(tries = 2000)
    void mutationsDecodeOrRaiseFormatException(@ForAll @Size(min = 1, max = 4) List<@From("records") ArrayRecord> generated,
            @ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 3) int how) {
        List<ArrayRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ArrayRecord r : generated) {
            if (seen.add(r.name())) {
                records.add(r);
            }
        }
        byte[] b = MetadataCodecTest.bytes(MetadataCodec.encode(records));
        int p = where % b.length;
        byte[] mutated;
        switch (how) {
            case 0: mutated = b.clone(); mutated[p] = value; break;
            case 1: mutated = b.clone(); mutated[p] ^= (byte) (1 << (value & 7)); break;
            case 2: mutated = java.util.Arrays.copyOf(b, p); break;
            default: mutated = java.util.Arrays.copyOf(b, b.length + 1 + (value & 0x7F)); break;
        }
        try {
            List<ArrayRecord> back = MetadataCodec.decode(ByteBuffer.wrap(mutated));
            long sum = 0;
            for (ArrayRecord r : back) {
                sum += r.sizeBytes();
            }
            // whatever decodes re-encodes to the same bytes, except total_size, which is recomputed
            byte[] again = MetadataCodecTest.bytes(MetadataCodec.encode(back));
            assertEquals(sum, ByteBuffer.wrap(again).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(8));
            java.util.Arrays.fill(again, 8, 16, (byte) 0);
            byte[] expect = mutated.clone();
            java.util.Arrays.fill(expect, 8, 16, (byte) 0);
            assertArrayEquals(expect, again);
        } catch (FormatException expected) {
            // the only allowed failure
        }
    }
}
