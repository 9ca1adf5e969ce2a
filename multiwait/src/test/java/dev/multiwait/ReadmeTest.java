package dev.multiwait;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's usage example is the one the Wine stage compiles and runs (ReadmeExampleTest). */
class ReadmeTest {
    @Test
    void readmeShowsTheExampleThatIsTested() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        List<String> source = Files.readAllLines(root.resolve(
                "multiwait-tests/src/test/java/dev/multiwait/it/ReadmeExampleTest.java"));
        int begin = indexOf(source, "README-EXAMPLE-BEGIN");
        int end = indexOf(source, "README-EXAMPLE-END");
        assertTrue(begin >= 0 && end > begin, "markers in ReadmeExampleTest");
        String indent = source.get(begin + 1).substring(0, source.get(begin + 1).indexOf("try"));
        StringBuilder example = new StringBuilder();
        for (String line : source.subList(begin + 1, end)) {
            example.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip()).append('\n');
        }
        assertTrue(readme.contains(example), "README.md must contain, verbatim:\n" + example);
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
