package dev.numpack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ScanSource}: the mapping while pieces are in memory, the file for good from the first that is not. */
class ScanSourceTest {
    private static final ByteBuffer VIEW = ByteBuffer.allocate(8);

    /**
     * @param resident whether each piece is in memory, in scan order ({@code null}: the piece has no view)
     * @return for each piece, whether it is taken from the mapping
     */
    private static List<Boolean> sources(Boolean... resident) {
        Iterator<Boolean> answers = java.util.Arrays.stream(resident).filter(r -> r != null).iterator();
        ScanSource source = new ScanSource(view -> answers.next());
        List<Boolean> out = new ArrayList<>();
        for (Boolean r : resident) {
            out.add(source.fromMapping(r == null ? null : VIEW));
        }
        return out;
    }

    @Test
    void residentPiecesComeFromTheMapping() {
        assertEquals(List.of(true, true, true), sources(true, true, true));
    }

    @Test
    void fromTheFirstPieceNotInMemoryEveryPieceIsRead() {
        // the pieces after it look resident (read-ahead brought them in), yet stay on the file's stream
        assertEquals(List.of(true, false, false, false), sources(true, false, true, true));
        assertEquals(List.of(false, false), sources(false, true));
    }

    @Test
    void aPieceWithoutViewIsCopiedAndDoesNotDecideForTheRest() {
        assertEquals(List.of(false, true, false, false), sources(null, true, false, true));
    }

    @Test
    void residencyIsNotAskedOnceReadingFromTheFile() {
        List<Boolean> asked = new ArrayList<>();
        ScanSource source = new ScanSource(view -> {
            asked.add(true);
            return false;
        });
        for (int i = 0; i < 4; i++) {
            assertEquals(false, source.fromMapping(VIEW));
        }
        assertEquals(1, asked.size(), "mincore is not worth asking once the scan reads the file");
    }
}
