package dev.multiwait.demo;

/**
 * The byte stream mwchild writes for "stream SEED BYTES": xorshift64*, top byte of each step.
 * Checking a child's output is then a matter of regenerating it here.
 */
public final class SeededStream {
    private long state;

    public SeededStream(long seed) {
        state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    public byte next() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return (byte) ((x * 0x2545F4914F6CDD1DL) >>> 56);
    }

    /** Compares {@code data} with the next bytes of the stream; returns the index of the first mismatch or -1. */
    public int check(java.nio.ByteBuffer data) {
        int start = data.position();
        while (data.hasRemaining()) {
            int at = data.position() - start;
            if (data.get() != next()) {
                return at;
            }
        }
        return -1;
    }

    public static byte[] bytes(long seed, int n) {
        SeededStream s = new SeededStream(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = s.next();
        }
        return b;
    }
}
