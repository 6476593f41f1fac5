package dev.numpack.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The columnar and key-value peers, by their {@code @Param} name: "arrow" ({@link ArrowLib}, Arrow IPC
 * file), "parquet" ({@link ParquetLib}, parquet-floor) and "chronicle" ({@link ChronicleLib}, a persisted
 * Chronicle Map). Their forks need {@link #JVM_FLAGS}.
 */
final class ColumnarPeers {
    static final Map<String, Libs.Factory> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("arrow", ArrowLib::new);
        FACTORIES.put("parquet", ParquetLib::new);
        FACTORIES.put("chronicle", ChronicleLib::new);
    }

    /**
     * JVM flags a fork running these peers needs on JDK 17, class path (not module path). Found by leaving
     * each out in turn, with all three peers' self-checks: leaving out any of the first six makes a peer
     * fail (or, for jdk.internal.ref, print a warning). Chronicle's own list for Java 17 also has
     * --add-exports jdk.unsupported/sun.misc and --add-opens for java.io, java.util, sun.nio.ch and
     * jdk.compiler/com.sun.tools.javac: none of them changes anything for what ChronicleLib does.
     */
    static final List<String> JVM_FLAGS = List.of(
            // Arrow: arrow-memory-core's MemoryUtil reads java.nio.Buffer.address; without it
            // ArrowBuf.setBytes(ByteBuffer) and nioBuffer() throw UnsupportedOperationException ("Byte
            // buffer address cannot be obtained ...").
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            // Chronicle: net.openhft:compiler (which Chronicle Map always uses, to generate its
            // VanillaGlobalMutableState class when a map is created or opened) calls
            // ClassLoader.defineClass reflectively.
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            // Chronicle: the same compiler runs javac in the JVM (so the JVM must be a JDK with the
            // jdk.compiler module) and calls JavacFileManager.listLocationsForModules.
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            // Chronicle: chronicle-core's Jvm sets private fields of ChronicleMapBuilder reflectively.
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            // Chronicle: chronicle-core's OS.map calls sun.nio.ch.FileChannelImpl.map0 to map the file.
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            // Chronicle: chronicle-core frees direct buffers through jdk.internal.ref.Cleaner; without it
            // it prints a WARNING and falls back to another cleaner.
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            // Chronicle: no usage analytics. chronicle-core's AnalyticsFacade would post "started" and
            // "recover" events to Google Analytics through chronicle-analytics; that jar is also excluded
            // from the build, so AnalyticsFacade is mute either way.
            "-Dchronicle.analytics.disable=true",
            // Chronicle: no start-up banner (JVM version, process id, "Leave your e-mail ..." lines).
            "-Dchronicle.announcer.disable=true",
            // Chronicle: its remaining INFO line ("Chronicle core loaded from ...") goes to slf4j; warn
            // and above still show.
            "-Dorg.slf4j.simpleLogger.log.net.openhft=warn",
            // Arrow: pick the allocator that is on the class path, instead of trying netty first and
            // logging that it fell back ...
            "-Darrow.allocation.manager.type=Unsafe",
            // ... and keep its INFO start-up lines (allocator, debug mode) out of the output.
            "-Dorg.slf4j.simpleLogger.log.org.apache.arrow=warn");

    private ColumnarPeers() {
    }
}
