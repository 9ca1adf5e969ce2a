package dev.multiwait;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's code is the code the Wine stage compiles and runs: each block between a source file's
 * {@code README-<NAME>-BEGIN} and {@code -END} markers, less its common indentation, is in README.md verbatim.
 */
class ReadmeTest {
    @ParameterizedTest
    @CsvSource({
        "EXAMPLE, multiwait-tests/src/test/java/dev/multiwait/it/ReadmeExampleTest.java",
        "HTTP, multiwait-tests/src/main/java/dev/multiwait/examples/HelloServer.java",
        "LOG, multiwait-tests/src/main/java/dev/multiwait/examples/LogPump.java",
    })
    void readmeShowsTheCodeThatIsTested(String name, String file) throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        List<String> source = Files.readAllLines(root.resolve(file));
        int begin = indexOf(source, "README-" + name + "-BEGIN");
        int end = indexOf(source, "README-" + name + "-END");
        assertTrue(begin >= 0 && end > begin + 1, "README-" + name + " markers in " + file);
        List<String> block = source.subList(begin + 1, end);
        int indent = block.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder code = new StringBuilder();
        for (String line : block) {
            code.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        assertTrue(readme.contains("```java\n" + code + "```\n"), "README.md must contain, verbatim:\n" + code);
    }

    @Test
    void readmeStaysShort() throws IOException {
        long lines = Files.readAllLines(Path.of("..").toAbsolutePath().normalize().resolve("README.md")).size();
        assertTrue(lines < 250, "README.md has " + lines + " lines; detail belongs in RELIABILITY.md");
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i;
            }
        }
        return -1;
    }
}
