package dev.numpack.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.numpack.NumPack;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compiled module descriptor of numpack-core, read from target/classes: the public API is exactly
 * {@code dev.numpack} and {@code dev.numpack.io}, and every other package (all under
 * {@code dev.numpack.internal}) stays hidden from modular callers.
 */
class ModuleDescriptorTest {
    private static final Set<String> PUBLIC_PACKAGES = Set.of("dev.numpack", "dev.numpack.io");

    private static Path classes;
    private static ModuleDescriptor descriptor;

    @BeforeAll
    static void readDescriptor() throws Exception {
        classes = Path.of(NumPack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }
    }

    @Test
    void theModuleIsNamedAfterItsRootPackage() {
        assertEquals("dev.numpack", descriptor.name());
        assertFalse(descriptor.isOpen(), "an open module would hand its internals to reflection");
        assertTrue(descriptor.opens().isEmpty(), "opens: " + descriptor.opens());
    }

    @Test
    void exportsExactlyThePublicPackagesToEveryone() {
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : descriptor.exports()) {
            assertFalse(e.isQualified(), e + " is exported to named modules only");
            exported.add(e.source());
        }
        assertEquals(new TreeSet<>(PUBLIC_PACKAGES), exported);
    }

    @Test
    void everyPackageNotExportedIsInternal() throws IOException {
        Set<String> packages = packagesWithClasses();
        assertTrue(packages.containsAll(PUBLIC_PACKAGES), "packages found: " + packages);
        for (String p : packages) {
            if (!PUBLIC_PACKAGES.contains(p)) {
                assertTrue(p.equals("dev.numpack.internal") || p.startsWith("dev.numpack.internal."),
                        p + " is neither exported nor under dev.numpack.internal: export it or move it");
            }
        }
    }

    /**
     * @param dir a directory of the main output, relative to it
     * @return the package directory it stands for: a multi-release jar's {@code META-INF/versions/N/a/b} holds
     *     classes of package {@code a.b} (the FFM classes for Java 22+), which the rules cover like any other
     */
    private static Path unversioned(Path dir) {
        if (dir.getNameCount() > 3 && dir.getName(0).toString().equals("META-INF") && dir.getName(1).toString().equals("versions")) {
            return dir.subpath(3, dir.getNameCount());
        }
        return dir;
    }

    /** The packages that hold classes in the main output, from the files (javac writes no package list). */
    private static Set<String> packagesWithClasses() throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f.getParent() == null ? classes : f.getParent()))
                    .map(ModuleDescriptorTest::unversioned)
                    .filter(dir -> !dir.toString().isEmpty())
                    .map(dir -> dir.toString().replace(dir.getFileSystem().getSeparator(), "."))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
