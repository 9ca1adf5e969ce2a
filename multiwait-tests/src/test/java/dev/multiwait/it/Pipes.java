package dev.multiwait.it;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.ReadListener;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32;

/** Test helpers for pipe streams. */
final class Pipes {
    private Pipes() {
    }

    static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    static boolean isOpen(WinNT.HANDLE h) {
        return dev.multiwait.win32.JnaWin32.INSTANCE.isHandleOpen(com.sun.jna.Pointer.nativeValue(h.getPointer()));
    }

    /**
     * The pipe end this value named is closed. A closed value may at once be reused by another thread
     * of this JVM for a new handle (a thread, an event, a file), so a value that is open again but no
     * longer names a pipe counts as closed; one that still names a pipe does not.
     */
    static boolean isClosedPipe(WinNT.HANDLE h) {
        return !isOpen(h) || com.sun.jna.platform.win32.Kernel32.INSTANCE.GetFileType(h) != 3 /* FILE_TYPE_PIPE */;
    }

    /** Collects every byte read and how the read ended. */
    static class Collector implements ReadListener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile CloseReason reason;
        volatile Exception error;
        int chunks;

        @Override
        public void onData(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.writeBytes(b);
            chunks++;
        }

        @Override
        public void onClose(CloseReason reason, Exception error) {
            this.reason = reason;
            this.error = error;
        }

        byte[] data() {
            return bytes.toByteArray();
        }
    }
}
