package dev.numpack.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.numpack.DType;
import dev.numpack.NumPack;
import dev.numpack.NumPackException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering inside numpack-core, checked on its compiled main classes: codecs below the engine, the
 * engine below the facade, RowChecks below both. The facade may use everything; the rest may use from
 * {@code dev.numpack} only {@link DType} and the exceptions, so that the engine and codecs can be tested,
 * moved or replaced without the public classes.
 */
class CoreArchitectureTest {
    private static final String FACADE = "dev.numpack";
    private static final String IO = "dev.numpack.io";
    private static final String CHECKS = "dev.numpack.internal";
    private static final String FORMAT = "dev.numpack.internal.format";
    private static final String STORE = "dev.numpack.internal.store";

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() throws URISyntaxException {
        // where NumPack was loaded from: target/classes (or the jar), never target/test-classes
        main = new ClassFileImporter()
                .importPath(Path.of(NumPack.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }

    /** What every layer below the facade may use of {@code dev.numpack}: the exceptions and DType. */
    private static DescribedPredicate<JavaClass> sharedApiTypes() {
        return assignableTo(NumPackException.class).or(belongToAnyOf(DType.class))
                .as("are NumPackException, its subclasses or DType");
    }

    /** Classes of this library outside {@code packages} (exact package names) and outside the shared types. */
    private static DescribedPredicate<JavaClass> oursExcept(String... packages) {
        return resideInAPackage("dev.numpack..").and(not(resideInAnyPackage(packages))).and(not(sharedApiTypes()))
                .as("are in dev.numpack.. outside " + String.join(", ", packages)
                        + ", other than the exceptions and DType");
    }

    @Test
    void codecsKnowNoFilesOnlyByteBuffers() {
        DescribedPredicate<JavaClass> files = resideInAPackage("java.io").and(simpleNameStartingWith("File"))
                .or(belongToAnyOf(RandomAccessFile.class, MappedByteBuffer.class))
                .or(resideInAnyPackage("java.nio.file..", "java.nio.channels.."))
                .as("are java.io.File*, RandomAccessFile, MappedByteBuffer, in java.nio.file.. or java.nio.channels..");
        noClasses().that().resideInAPackage(FORMAT + "..")
                .should().dependOnClassesThat(files)
                .because("the codecs read and write ByteBuffers; files, channels and mapping are the engine's")
                .check(main);
    }

    @Test
    void codecsUseNeitherTheEngineNorTheFacade() {
        noClasses().that().resideInAPackage(FORMAT + "..")
                .should().dependOnClassesThat(oursExcept(FORMAT, CHECKS))
                .because("the codecs sit below the engine and the API: only DType and the exceptions are shared")
                .check(main);
    }

    @Test
    void engineUsesNoFacadeClassNorTheNpyApi() {
        noClasses().that().resideInAPackage(STORE + "..")
                .should().dependOnClassesThat(oursExcept(STORE, FORMAT, CHECKS))
                .because("the engine sits below the facade: it may use the codecs, RowChecks, DType and the "
                        + "exceptions, never NumPack, its arrays, views or batch modes, nor dev.numpack.io")
                .check(main);
    }

    @Test
    void rowChecksDependOnNothingOfOursButTheExceptions() {
        noClasses().that().resideInAPackage(CHECKS)
                .should().dependOnClassesThat(resideInAPackage("dev.numpack..")
                        .and(not(resideInAPackage(CHECKS))).and(not(assignableTo(NumPackException.class)))
                        .as("are in dev.numpack.. outside dev.numpack.internal, other than the exceptions"))
                .because("every layer uses RowChecks, so it must use none of them")
                .check(main);
    }

    @Test
    void formatNeverUsesStoreSoTheyFormNoCycle() {
        noClasses().that().resideInAPackage(FORMAT + "..")
                .should().dependOnClassesThat().resideInAPackage(STORE + "..")
                .because("the engine uses the codecs, not the other way round")
                .check(main);
        slices().matching("dev.numpack.internal.(*)..").should().beFreeOfCycles().check(main);
    }

    /** Guards the import itself: a rule over no classes would pass whatever the code does. */
    @Test
    void theImportHoldsEveryLayer() {
        for (String pkg : new String[] {FACADE, IO, CHECKS, FORMAT, STORE}) {
            assertTrue(main.containPackage(pkg)
                    && !main.getPackage(pkg).getClasses().isEmpty(), "no main classes imported from " + pkg);
        }
    }
}
