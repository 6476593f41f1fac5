package dev.numpack.examples.notebook;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The build's classpath standing in for the Maven repository IJava downloads from: a notebook's
 * {@code %maven} lines resolve to entries of it, offline, or fail naming the artifact, so a notebook that
 * runs here names every artifact it needs and a reader's IJava would fetch the same ones.
 *
 * <p>Jars from a local repository are recognised by their path ({@code group/as/dirs/artifact/version/}),
 * this project's modules by the {@code pom.xml} beside their {@code target} directory. A notebook compiles
 * against the artifacts it names, every third-party jar (what a {@code %maven} line brings along
 * transitively) and the kernel's own classes; the project's modules it does not name stay out.
 */
final class KernelClasspath {
    private final List<Path> entries;
    private final List<Module> modules = new ArrayList<>();

    /** A project module on the classpath and the coordinates its {@code pom.xml} gives it. */
    private record Module(Path entry, String group, String artifact, String version) {}

    /** A parsed {@code group:artifact[:packaging[:classifier]]:version}. */
    private record Coordinates(String group, String artifact, String classifier, String version) {
        static Coordinates parse(String text) {
            String[] p = text.split(":", -1);
            for (String part : p) {
                if (part.isBlank()) {
                    throw new IllegalArgumentException("'" + text + "' is not group:artifact[:packaging[:classifier]]:version");
                }
            }
            switch (p.length) {
                case 3: return new Coordinates(p[0], p[1], "", p[2]);
                case 4: return new Coordinates(p[0], p[1], "", p[3]); // packaging: jar, the only kind on a classpath
                case 5: return new Coordinates(p[0], p[1], p[3], p[4]);
                default:
                    throw new IllegalArgumentException("'" + text + "' is not group:artifact[:packaging[:classifier]]:version");
            }
        }
    }

    /** @param classpath a classpath as {@code java.class.path} holds it */
    KernelClasspath(String classpath) throws IOException {
        entries = new ArrayList<>();
        for (String e : classpath.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                Path p = Path.of(e).toAbsolutePath().normalize();
                entries.add(p);
                Optional<Module> m = module(p);
                if (m.isPresent()) {
                    modules.add(m.get());
                }
            }
        }
    }

    /**
     * @return what every notebook compiles against: all entries but this project's modules (the test classes,
     *     which hold the kernel's {@link Display}, stay)
     */
    List<Path> base() {
        List<Path> out = new ArrayList<>(entries);
        modules.forEach(m -> out.remove(m.entry()));
        return out;
    }

    /**
     * @param coordinates as a {@code %maven} line gives them
     * @return the classpath entry that is that artifact
     * @throws IllegalArgumentException naming the artifact when the build's classpath does not hold it
     */
    Path maven(String coordinates) {
        Coordinates c = Coordinates.parse(coordinates);
        for (Module m : modules) {
            if (m.group().equals(c.group()) && m.artifact().equals(c.artifact()) && m.version().equals(c.version())
                    && c.classifier().isEmpty()) {
                return m.entry();
            }
        }
        for (Path e : entries) {
            if (isRepositoryJar(e, c)) {
                return e;
            }
        }
        throw new IllegalArgumentException("%maven " + coordinates + " is not on the build's classpath: add it to "
                + "examples/pom.xml (test scope will do), the notebooks resolve artifacts offline");
    }

    /**
     * @param dir where relative paths start (the notebook's directory, as IJava's working directory)
     * @param pattern a jar, or a glob in its file name ({@code lib/*.jar})
     * @return the matching files, sorted
     * @throws IllegalArgumentException when nothing matches
     */
    static List<Path> jars(Path dir, String pattern) throws IOException {
        Path p = dir.resolve(pattern).normalize();
        List<Path> out = new ArrayList<>();
        Path parent = p.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, p.getFileName().toString())) {
                s.forEach(out::add);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("%jars " + pattern + " matches no file (looked in " + parent + ")");
        }
        out.sort(null);
        return out;
    }

    /** @return whether {@code e} is {@code repository/group/dirs/artifact/version/artifact-version[-classifier].jar} */
    private static boolean isRepositoryJar(Path e, Coordinates c) {
        String tail = c.group().replace('.', '/') + "/" + c.artifact() + "/" + c.version();
        Path dir = e.getParent();
        if (dir == null || !dir.toString().replace(File.separatorChar, '/').endsWith("/" + tail)) {
            return false;
        }
        String suffix = (c.classifier().isEmpty() ? "" : "-" + c.classifier()) + ".jar";
        String name = e.getFileName().toString();
        if (name.equals(c.artifact() + "-" + c.version() + suffix)) {
            return true;
        }
        // a snapshot fetched from a remote repository carries its timestamp: artifact-1.0-20250101.120000-3.jar
        String base = c.version().replaceFirst("-SNAPSHOT$", "");
        return c.version().endsWith("-SNAPSHOT")
                && name.matches(java.util.regex.Pattern.quote(c.artifact() + "-" + base) + "-\\d{8}\\.\\d{6}-\\d+"
                        + java.util.regex.Pattern.quote(suffix));
    }

    /** A reactor module's output: {@code module/target/classes} or a jar in {@code module/target}. */
    private static Optional<Module> module(Path entry) throws IOException {
        String file = entry.getFileName().toString();
        boolean classes = Files.isDirectory(entry) && file.equals("classes");
        boolean jar = Files.isRegularFile(entry) && file.endsWith(".jar");
        Path target = entry.getParent();
        if (!(classes || jar) || target == null || !target.getFileName().toString().equals("target")) {
            return Optional.empty();
        }
        Path pom = target.resolveSibling("pom.xml");
        if (!Files.isRegularFile(pom)) {
            return Optional.empty();
        }
        Element project;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            project = f.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(pom + " does not parse: " + e.getMessage(), e);
        }
        Element parent = child(project, "parent");
        String artifact = childText(project, "artifactId");
        String group = Optional.ofNullable(childText(project, "groupId")).orElse(parent == null ? null : childText(parent, "groupId"));
        String version = Optional.ofNullable(childText(project, "version")).orElse(parent == null ? null : childText(parent, "version"));
        if (artifact == null || group == null || version == null) {
            throw new IOException(pom + " gives no groupId, artifactId and version");
        }
        return Optional.of(new Module(entry, group, artifact, version));
    }

    private static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String childText(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().strip();
    }
}
