package dev.multiwait.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds mwchild.exe, the child the tests start, during a native Windows {@code mvn verify} (the
 * {@code native-child} profile runs it before the tests): with {@code CC} or the first of gcc, cc,
 * clang, x86_64-w64-mingw32-gcc on PATH. Without a C compiler it says so as a build warning and
 * leaves {@code target/mwchild.skipped} naming why, and the tests that need the child are skipped
 * with that reason (Children.exe()); a compiler that fails fails the build.
 * Usage: BuildChild source.c target/mwchild.exe
 */
public final class BuildChild {
    private static final String[] COMPILERS = {"gcc", "cc", "clang", "x86_64-w64-mingw32-gcc"};

    private BuildChild() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path source = Path.of(args[0]);
        Path exe = Path.of(args[1]);
        Path skipped = skipMarker(exe);
        Files.createDirectories(exe.toAbsolutePath().getParent());
        if (Files.isRegularFile(exe) && Files.getLastModifiedTime(exe).compareTo(Files.getLastModifiedTime(source)) >= 0) {
            Files.deleteIfExists(skipped);
            return;
        }
        String cc = findCompiler();
        if (cc == null) {
            String reason = "no C compiler on PATH (set CC, or install gcc: mingw-w64), so " + exe
                    + " was not built and the tests that start a child process are SKIPPED";
            System.out.println("[WARNING] multiwait-tests: " + reason);
            Files.writeString(skipped, reason);
            return;
        }
        List<String> command = new ArrayList<>(List.of(cc, "-std=c11", "-O2", "-Wall", "-municode", "-o",
                exe.toString(), source.toString()));
        System.out.println("[INFO] multiwait-tests: " + String.join(" ", command));
        int rc = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException(cc + " failed with exit code " + rc + " building " + exe);
        }
        Files.deleteIfExists(skipped);
    }

    /** The file whose presence (and text) says why the child was not built. */
    public static Path skipMarker(Path exe) {
        return exe.resolveSibling("mwchild.skipped");
    }

    private static String findCompiler() {
        String cc = System.getenv("CC");
        if (cc != null && !cc.isBlank()) {
            return cc;
        }
        boolean windows = System.getProperty("os.name").startsWith("Windows");
        for (String name : COMPILERS) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, windows ? name + ".exe" : name))) {
                    return name;
                }
            }
        }
        return null;
    }
}
