package dev.multiwait.it;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadListener;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's usage example, verbatim between the markers (a Linux unit test checks the README holds it). */
class ReadmeExampleTest {
    @Test
    void readmeExampleRuns() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        List<String> log = new ArrayList<>();
        // README-EXAMPLE-BEGIN
        try (MultiHandleWait wait = new MultiHandleWait()) {
            // A pipe: both ends overlapped, so both can join the completion port.
            OverlappedPipe.Pair pipe = OverlappedPipe.create();
            StreamHandle server = wait.attach(pipe.server());
            StreamHandle client = wait.attach(pipe.client());
            server.read(64 * 1024, ReadListener.to(sink, (reason, error) -> log.add("read ended: " + reason)));
            client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), (n, error) -> client.close());

            // An event: bridged into the same port.
            WinNT.HANDLE event = Kernel32.INSTANCE.CreateEvent(null, false, false, null);
            wait.watch(Pointer.nativeValue(event.getPointer()), false, () -> log.add("event signalled"));
            Kernel32.INSTANCE.SetEvent(event);

            wait.run(); // dispatches on this thread; returns when nothing is left
            Kernel32.INSTANCE.CloseHandle(event);
        }
        // README-EXAMPLE-END
        assertEquals("hello", sink.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("event signalled", "read ended: COMPLETED"), log.stream().sorted().toList());
    }
}
