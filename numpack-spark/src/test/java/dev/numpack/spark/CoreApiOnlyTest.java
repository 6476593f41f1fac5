package dev.numpack.spark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * numpack-spark uses numpack-core only through the packages its module exports, dev.numpack and
 * dev.numpack.io (numpack-core's ModuleDescriptorTest keeps every other package under dev.numpack.internal).
 */
class CoreApiOnlyTest {
    @Test
    void mainClassesUseNoInternalPackageOfNumpackCore() throws Exception {
        Path main = Path.of(NumPackDataSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.numpack.internal..")
                .because("numpack-core hides its engine and codecs; they change without notice")
                .check(new ClassFileImporter().importPath(main));
    }
}
