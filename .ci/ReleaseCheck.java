import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Checks what the release build deployed, as Maven Central would receive it, and that the sample's jar runs.
 *
 * <pre>
 * ./mvnw -B -Prelease -DskipTests deploy -DaltDeploymentRepository=staging::file://$PWD/target/release-staging
 * java .ci/ReleaseCheck.java target/release-staging
 * </pre>
 *
 * <ul>
 * <li>exactly the published modules are deployed: every module of the reactor except those with
 * {@code connpool.unpublished=true} (sample-app, connpool-benchmarks) and the aggregator itself;</li>
 * <li>each jar comes with its sources and javadoc jars; each pom is flattened (no parent, no {@code ${..}}) and
 * carries name, description, url, licenses, developers and scm;</li>
 * <li>connpool-bom manages every published artifact and nothing else: no import, no foreign artifact;</li>
 * <li>{@code java -jar sample-app/target/sample-app-<version>.jar} starts and answers an echo request.</li>
 * </ul>
 * Exits 1 listing every failed check.
 */
public class ReleaseCheck {

    private static final String GROUP = "io.connpool";

    private final List<String> failures = new ArrayList<>();
    private int checks;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java .ci/ReleaseCheck.java <staging folder given to altDeploymentRepository>");
            System.exit(2);
        }
        ReleaseCheck check = new ReleaseCheck();
        check.run(Path.of(args[0]), Path.of("."));
        if (!check.failures.isEmpty()) {
            System.err.println("release check: " + check.failures.size() + " of " + check.checks + " checks failed:");
            check.failures.forEach(failure -> System.err.println("  - " + failure));
            System.exit(1);
        }
        System.out.println("release check: all " + check.checks + " checks hold");
    }

    private void check(boolean holds, String failure) {
        checks++;
        if (!holds) {
            failures.add(failure);
        }
    }

    private void run(Path staging, Path root) throws Exception {
        Document rootPom = parse(root.resolve("pom.xml"));
        String version = text(rootPom.getDocumentElement(), "version");
        Set<String> published = new TreeSet<>();
        Set<String> unpublished = new TreeSet<>();
        for (Element module : children(child(rootPom.getDocumentElement(), "modules"), "module")) {
            Element project = parse(root.resolve(module.getTextContent().trim()).resolve("pom.xml")).getDocumentElement();
            Element properties = child(project, "properties");
            boolean off = properties != null && "true".equals(textOr(properties, "connpool.unpublished", "false"));
            (off ? unpublished : published).add(text(project, "artifactId"));
        }
        check(published.contains("connpool-bom"), "the reactor has no connpool-bom module");
        check(unpublished.containsAll(Set.of("sample-app", "connpool-benchmarks")),
                "sample-app and connpool-benchmarks must set connpool.unpublished=true; unpublished: " + unpublished);

        Path group = staging.resolve(GROUP.replace('.', '/'));
        Set<String> deployed = new TreeSet<>();
        if (Files.isDirectory(group)) {
            try (Stream<Path> artifacts = Files.list(group)) {
                artifacts.filter(Files::isDirectory).forEach(dir -> deployed.add(dir.getFileName().toString()));
            }
        }
        check(deployed.equals(published), "deployed " + deployed + ", but the published modules are " + published);

        for (String artifact : deployed) {
            Path dir = group.resolve(artifact).resolve(version);
            Path pom = newest(dir, artifact, version, ".pom");
            check(pom != null, artifact + ": no pom deployed in " + dir);
            if (pom == null) {
                continue;
            }
            Element project = parse(pom).getDocumentElement();
            checkPom(artifact, pom, project);
            if ("jar".equals(textOr(project, "packaging", "jar"))) {
                for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
                    check(newest(dir, artifact, version, suffix) != null, artifact + ": no " + suffix + " deployed");
                }
            }
            if (artifact.equals("connpool-bom")) {
                checkBom(project, published);
            }
        }
        checkExecutableSample(root.resolve("sample-app/target/sample-app-" + version + ".jar"));
    }

    private void checkPom(String artifact, Path pom, Element project) throws IOException {
        check(!Files.readString(pom).contains("${"), artifact + ": the deployed pom has placeholders: " + pom);
        check(child(project, "parent") == null, artifact + ": the deployed pom names a parent, which is not published");
        for (String element : List.of("name", "description", "url")) {
            check(!textOr(project, element, "").isBlank(), artifact + ": the deployed pom has no <" + element + ">");
        }
        Element licenses = child(project, "licenses");
        check(licenses != null && !children(licenses, "license").isEmpty()
                && textOr(children(licenses, "license").get(0), "name", "").contains("Apache"),
                artifact + ": the deployed pom has no Apache license");
        Element developers = child(project, "developers");
        check(developers != null && !children(developers, "developer").isEmpty(),
                artifact + ": the deployed pom has no <developers>");
        Element scm = child(project, "scm");
        check(scm != null && !textOr(scm, "url", "").isBlank() && !textOr(scm, "connection", "").isBlank(),
                artifact + ": the deployed pom has no <scm> url and connection");
    }

    /** connpool's own artifacts only: importing the BOM must never change a user's Spring Boot versions. */
    private void checkBom(Element bom, Set<String> published) {
        Element management = child(bom, "dependencyManagement");
        check(management != null, "connpool-bom: no <dependencyManagement>");
        if (management == null) {
            return;
        }
        Set<String> managed = new TreeSet<>();
        for (Element dependency : children(child(management, "dependencies"), "dependency")) {
            String id = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
            check(text(dependency, "groupId").equals(GROUP), "connpool-bom manages " + id + ", which is not connpool's");
            check(!"import".equals(textOr(dependency, "scope", "")), "connpool-bom imports " + id);
            managed.add(text(dependency, "artifactId"));
        }
        Set<String> expected = new TreeSet<>(published);
        expected.remove("connpool-bom");
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(managed);
        check(missing.isEmpty(), "connpool-bom does not manage the published " + missing);
        Set<String> notBuilt = new TreeSet<>(managed);
        notBuilt.removeAll(expected);
        if (!notBuilt.isEmpty()) {
            // A module another branch adds: listed in the BOM ahead of its merge. Not an error, but said.
            System.out.println("release check: note: connpool-bom manages " + notBuilt + ", which this reactor does not build");
        }
    }

    /** What README promises: java -jar runs the sample, on its embedded servers. */
    private void checkExecutableSample(Path jar) throws Exception {
        check(Files.isRegularFile(jar), "no executable sample at " + jar);
        if (!Files.isRegularFile(jar)) {
            return;
        }
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "--server.port=0", "--spring.main.banner-mode=off")
                .redirectErrorStream(true).start();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> readPort(process, port, output), "sample-output");
            reader.setDaemon(true);
            reader.start();
            int listening;
            try {
                listening = port.get(120, TimeUnit.SECONDS);
            }
            catch (Exception ex) {
                check(false, "java -jar " + jar + " did not start within 120 s (" + ex + "); its output:\n" + output);
                return;
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> echo = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + listening + "/api/echo?text=release")).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString());
            check(echo.statusCode() == 200 && echo.body().contains("\"reply\":\"release\""),
                    "the sample started with java -jar answered /api/echo with " + echo.statusCode() + " " + echo.body());
        }
        finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static void readPort(Process process, CompletableFuture<Integer> port, StringBuilder output) {
        Pattern started = Pattern.compile("Tomcat started on port (\\d+)");
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
                Matcher matcher = started.matcher(line);
                if (matcher.find()) {
                    port.complete(Integer.parseInt(matcher.group(1)));
                }
            }
            port.completeExceptionally(new IllegalStateException("the process exited with " + process.waitFor()));
        }
        catch (IOException | InterruptedException ex) {
            port.completeExceptionally(ex);
        }
    }

    /** The deployed file of this version ending with suffix; for a snapshot, the newest timestamped one. */
    private static Path newest(Path dir, String artifact, String version, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        String stem = version.endsWith("-SNAPSHOT")
                ? Pattern.quote(artifact + "-" + version.substring(0, version.length() - "SNAPSHOT".length()))
                        + "[0-9]{8}\\.[0-9]{6}-[0-9]+"
                : Pattern.quote(artifact + "-" + version);
        Pattern name = Pattern.compile(stem + Pattern.quote(suffix));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> name.matcher(file.getFileName().toString()).matches()).max(Path::compareTo)
                    .orElse(null);
        }
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        if (element == null) {
            throw new IllegalStateException("<" + parent.getTagName() + "> has no <" + name + ">");
        }
        return element.getTextContent().trim();
    }

    private static String textOr(Element parent, String name, String fallback) {
        Element element = child(parent, name);
        return element != null ? element.getTextContent().trim() : fallback;
    }
}
