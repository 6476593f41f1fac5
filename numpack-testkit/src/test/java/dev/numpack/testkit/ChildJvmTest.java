package dev.numpack.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ChildJvm}, {@link ChildProcess} and {@link ChildResult} against real child JVMs. */
class ChildJvmTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aChildThatExitsWith3Reports3WithItsOutputAndError() throws Exception {
        ChildResult r = ChildJvm.main(ExitWith.class, "3", "hello", "world").run(LIMIT);
        assertEquals(3, r.exitCode());
        assertEquals(List.of("hello", "world"), r.lines().subList(0, 2));
        assertEquals("exiting with 3", r.err().strip());
        AssertionError e = assertThrows(AssertionError.class, r::assertSuccess);
        assertTrue(e.getMessage().contains("exited with 3") && e.getMessage().contains("exiting with 3"),
                e.getMessage());
    }

    @Test
    void aChildThatExitsWith0PassesAssertSuccess() throws Exception {
        ChildResult r = ChildJvm.main(ExitWith.class, "0").run(LIMIT);
        assertSame(r, r.assertSuccess());
        assertEquals(0, r.exitCode());
    }

    @Test
    void everyChildGetsDjlsOfflineFlagTheCallersFlagsAndDirectory() throws Exception {
        ChildResult r = ChildJvm.main(ExitWith.class, "0").heap("64m").systemProperty("x.y", "z")
                .directory(dir).run(LIMIT).assertSuccess();
        assertTrue(r.lines().contains("ai.djl.offline=true"), r.out());
        assertTrue(r.lines().contains("cwd=" + dir), r.out());
        List<String> cmd = ChildJvm.main(ExitWith.class, "0").heap("64m").systemProperty("x.y", "z").command();
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.get(0));
        assertEquals(Runtime.version().feature() >= 24, cmd.contains("--enable-native-access=ALL-UNNAMED"));
        assertTrue(cmd.indexOf("-Xmx64m") < cmd.indexOf(ExitWith.class.getName()), cmd.toString());
        assertTrue(cmd.indexOf("-Dx.y=z") < cmd.indexOf(ExitWith.class.getName()), cmd.toString());
        assertEquals(TestClasspath.get(), cmd.get(cmd.indexOf("-cp") + 1));
        assertEquals(List.of(ExitWith.class.getName(), "0"), cmd.subList(cmd.size() - 2, cmd.size()));
    }

    @Test
    void aJarChildHasNoClassPathOfOurs() {
        List<String> cmd = ChildJvm.jar(Path.of("app.jar"), "--help").command();
        assertFalse(cmd.contains("-cp"), cmd.toString());
        assertEquals(List.of("-jar", "app.jar", "--help"), cmd.subList(cmd.size() - 3, cmd.size()));
    }

    @Test
    void aKilledChildReportsItWasKilledAndItsOutputStaysReadable() throws Exception {
        try (ChildProcess p = ChildJvm.main(WaitForKill.class).start()) {
            assertEquals("ready", p.stdout().readLine(), p::stderrText);
            assertEquals("0", p.stdout().readLine());
            assertEquals(ChildJvm.KILLED_EXIT, p.kill());
            assertFalse(p.isAlive());
            long counted = 0;
            for (String l; (l = p.stdout().readLine()) != null; ) { // the pipe was not closed under us
                assertEquals(counted + 1, Long.parseLong(l));
                counted++;
            }
        }
    }

    @Test
    void aChildThatRunsTooLongIsKilledAndTheFailureSaysSo() throws Exception {
        try (ChildProcess p = ChildJvm.main(WaitForKill.class).start()) {
            assertEquals("ready", p.stdout().readLine(), p::stderrText);
            AssertionError e = assertThrows(AssertionError.class, () -> p.await(Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("ran longer than 200 ms"), e.getMessage());
            assertFalse(p.isAlive(), "killed");
        }
    }

    @Test
    void closeKillsAChildStillRunningAndDeletesItsOwnLog() throws Exception {
        ChildProcess p = ChildJvm.main(WaitForKill.class).start();
        assertEquals("ready", p.stdout().readLine(), p::stderrText);
        Path log = p.stderrFile();
        assertTrue(Files.exists(log));
        p.close();
        assertFalse(p.isAlive());
        assertFalse(Files.exists(log), "a log the caller did not ask for is removed");
    }

    @Test
    void stderrGoesToTheCallersLogAndNoInputGivesAnEmptyStandardInput() throws Exception {
        Path log = dir.resolve("child.log");
        ChildResult r = ChildJvm.main(WaitForKill.class, "stdin").noInput().stderrTo(log).run(LIMIT);
        assertEquals(4, r.exitCode(), r.err());
        assertEquals("stdin ended", Files.readString(log).strip());
        assertEquals("stdin ended", r.err().strip());
        try (ChildProcess p = ChildJvm.main(WaitForKill.class, "stdin").start()) { // a pipe: ends when we close it
            assertEquals("ready", p.stdout().readLine(), p::stderrText);
            assertTrue(p.isAlive(), "waits on its open standard input");
            p.process().getOutputStream().close();
            assertEquals(4, p.await(LIMIT));
        }
    }

    @Test
    void anIsolatedClassPathHoldsCopiesOfTheClassDirectories() throws Exception {
        String isolated = TestClasspath.isolated();
        assertSame(isolated, TestClasspath.isolated(), "copied once per JVM");
        List<String> original = List.of(TestClasspath.get().split(File.pathSeparator));
        List<String> copy = List.of(isolated.split(File.pathSeparator));
        assertEquals(original.size(), copy.size());
        boolean sawTestClasses = false;
        for (int i = 0; i < copy.size(); i++) {
            if (Files.isDirectory(Path.of(original.get(i)))) {
                assertNotEquals(original.get(i), copy.get(i));
                sawTestClasses |= Files.exists(Path.of(copy.get(i), "dev", "numpack", "testkit", "ExitWith.class"));
            } else {
                assertEquals(original.get(i), copy.get(i), "jars are used in place");
            }
        }
        assertTrue(sawTestClasses, "the test classes were copied: " + isolated);
        assertEquals(5, ChildJvm.main(ExitWith.class, "5").isolatedClasspath().run(LIMIT).exitCode());
    }
}
