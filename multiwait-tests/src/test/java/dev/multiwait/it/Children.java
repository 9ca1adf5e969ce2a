package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;
import dev.multiwait.demo.SeededStream;
import dev.multiwait.support.BuildChild;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers for child processes: where mwchild.exe is, and a checking sink for its streams. */
final class Children {
    private Children() {
    }

    /**
     * Built by scripts/build-child.sh or, in a native Windows {@code mvn verify}, by BuildChild;
     * tests run with multiwait-tests as the working directory. Where BuildChild found no C
     * compiler, the calling test is skipped with its reason; otherwise a missing child is an error.
     */
    static String exe() {
        Path p = Path.of(System.getProperty("multiwait.child", "target/mwchild.exe")).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            Path skipped = BuildChild.skipMarker(p);
            if (Files.isRegularFile(skipped)) {
                Assumptions.abort(readQuietly(skipped));
            }
            throw new IllegalStateException(p + " is missing: run scripts/build-child.sh");
        }
        return p.toString();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return file + " (unreadable: " + e + ")";
        }
    }

    /** Checks a stream against the seeded sequence as it arrives. */
    static class Checker implements ReadListener {
        private final SeededStream expected;
        long received;
        long firstMismatch = -1;
        volatile CloseReason reason;

        Checker(long seed) {
            expected = new SeededStream(seed);
        }

        @Override
        public void onData(ByteBuffer data) {
            int n = data.remaining();
            int at = firstMismatch < 0 ? expected.check(data) : -1;
            if (at >= 0) {
                firstMismatch = received + at;
            }
            received += n;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
        }
    }
}
