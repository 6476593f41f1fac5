package dev.numpack.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.numpack.NumPack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No public type of numpack-core's exported packages has the simple name of a public type in the DJL
 * packages a training loop imports, so that both can be imported, even with {@code *}, without one
 * shadowing the other (numpack-core's {@code Batch} and {@code Progress} were renamed for this).
 */
class DjlNameClashTest {
    private static final Set<String> EXPORTED = Set.of("dev.numpack", "dev.numpack.io");
    private static final Set<String> DJL_COMMON = Set.of("ai.djl", "ai.djl.ndarray", "ai.djl.nn",
            "ai.djl.training", "ai.djl.training.dataset", "ai.djl.util");

    private static Set<String> ours;
    private static Set<String> djl;

    @BeforeAll
    static void readBothSides() throws Exception {
        // ours: public top-level types and public nested types (NumPack.Builder can be imported on its own)
        ours = publicTypeNames(NumPack.class, EXPORTED, true);
        // DJL's: public top-level types; their nested ones are written qualified (Dataset.Usage)
        djl = publicTypeNames(Model.class, DJL_COMMON, false);
    }

    @Test
    void bothSidesAreRead() {
        assertTrue(ours.containsAll(Set.of("NumPack", "BatchMode", "NumPack.Builder", "NpyReader")), "ours: " + ours);
        // DJL's Batch and Progress are what numpack-core's old names clashed with: the check must see them
        assertTrue(djl.containsAll(Set.of("Batch", "Progress", "Model", "NDArray", "Block")), "DJL: " + djl);
    }

    @Test
    void noExportedTypeSharesASimpleNameWithACommonDjlType() {
        assertEquals(Set.of(), clashes(ours), "rename these in dev.numpack / dev.numpack.io");
    }

    @Test
    void theCheckCatchesTheOldNames() {
        Set<String> withOldNames = new TreeSet<>(ours);
        // the old top-level names, and a nested type named like a DJL one
        withOldNames.addAll(Set.of("Batch", "Progress", "NumPack.Model"));
        assertEquals(Set.of("Batch", "Model", "Progress"), clashes(withOldNames));
    }

    /** @return the simple names (the last part of {@code Outer.Nested}) of {@code names} that DJL also uses */
    private static Set<String> clashes(Set<String> names) {
        return names.stream().map(n -> n.substring(n.lastIndexOf('.') + 1)).filter(djl::contains)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * @return the public types in {@code packages} of the jar or directory {@code anchor} was loaded from,
     *     as {@code Name} or, for nested ones when {@code nested}, {@code Outer.Name}
     */
    private static Set<String> publicTypeNames(Class<?> anchor, Set<String> packages, boolean nested)
            throws Exception {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClassFileImporter importer = new ClassFileImporter();
        JavaClasses classes;
        if (Files.isDirectory(location)) {
            classes = importer.importPath(location);
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                classes = importer.importJar(jar);
            }
        }
        Set<String> names = new TreeSet<>();
        for (JavaClass c : classes) {
            if (packages.contains(c.getPackageName()) && visible(c) && (nested || c.isTopLevelClass())) {
                names.add(c.getName().substring(c.getPackageName().length() + 1).replace('$', '.'));
            }
        }
        return names;
    }

    /** Public, and so are all the classes it is nested in (anonymous and local classes never are). */
    private static boolean visible(JavaClass c) {
        if (!c.getModifiers().contains(JavaModifier.PUBLIC) || c.isAnonymousClass() || c.isLocalClass()) {
            return false;
        }
        return c.getEnclosingClass().map(DjlNameClashTest::visible).orElse(true);
    }
}
