package dev.numpack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the build's version, from a resource filled in by Maven. */
final class VersionProvider implements IVersionProvider {
    static final String RESOURCE = "/dev/numpack/cli/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "numpack " + version() + " (NumPack 0.7 store format)",
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }

    /** @return the version, or {@code unknown} when the resource is missing or unfiltered */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v.strip();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
