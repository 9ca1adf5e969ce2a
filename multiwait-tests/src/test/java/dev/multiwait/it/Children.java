package dev.multiwait.it;

import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;
import dev.multiwait.demo.SeededStream;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers for child processes: where mwchild.exe is, and a checking sink for its streams. */
final class Children {
    private Children() {
    }

    /** Built by scripts/build-child.sh; tests run with multiwait-tests as the working directory. */
    static String exe() {
        Path p = Path.of(System.getProperty("multiwait.child", "target/mwchild.exe")).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: run scripts/build-child.sh");
        }
        return p.toString();
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
