package dev.numpack.internal.format;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.numpack.internal.format.JournalCodec.Action;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Generated journals: round trip, and random damage is never taken for a commit. */
class JournalCodecProperties {

    @Provide
    Arbitrary<Action> actions() {
        Arbitrary<String> paths = Arbitraries.strings().ofMaxLength(30).withCharRange(' ', '~').withChars('é', '日');
        Arbitrary<byte[]> blobs = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Long> offsets = Arbitraries.longs().greaterOrEqual(0);
        return Combinators.combine(Arbitraries.integers().between(0, 3), paths, paths, offsets, blobs)
                .as((k, p, t, o, b) -> {
                    switch (k) {
                        case 0: return Action.rename(p, t);
                        case 1: return Action.put(p, ByteBuffer.wrap(b));
                        case 2: return Action.pwrite(p, o, ByteBuffer.wrap(b));
                        default: return Action.delete(p);
                    }
                });
    }

    @Property(tries = 500)
    void roundTrip(@ForAll @Size(max = 10) List<@From("actions") Action> actions) {
        JournalCodecTest.assertSameActions(actions, JournalCodec.decode(JournalCodec.encode(actions)));
    }

    @Property(tries = 1000)
    void randomDamageIsNeverACommit(@ForAll @Size(min = 1, max = 6) List<@From("actions") Action> actions,
            @ForAll @IntRange(min = 0, max = 1_000_000) int where, @ForAll byte value,
            @ForAll @IntRange(min = 0, max = 2) int how) {
        byte[] full = JournalCodecTest.bytesOf(JournalCodec.encode(actions));
        int p = where % full.length;
        byte[] b;
        if (how == 0) {
            b = java.util.Arrays.copyOf(full, p); // torn write
        } else {
            b = full.clone();
            byte v = how == 1 ? (byte) (b[p] ^ (1 << (value & 7))) : value;
            if (v == b[p]) {
                return; // not damage
            }
            b[p] = v;
        }
        // a single damaged byte (up to 8 flipped bits within 32 bits) is always caught by CRC32C
        assertNull(JournalCodec.decode(ByteBuffer.wrap(b)));
    }
}
