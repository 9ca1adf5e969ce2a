package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.Registration;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Named-pipe server accept through the port: pending connects, early clients (535), cancel. */
class NamedPipeConnectTest {
    @Test
    void pendingConnectCompletesWhenAClientArrives() {
        String name = OverlappedPipe.uniqueName();
        List<StreamHandle> connected = new ArrayList<>();
        Pipes.Collector got = new Pipes.Collector();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(OverlappedPipe.createServer(name));
            Registration r = server.connect(pipe -> {
                connected.add(pipe);
                pipe.read(1024, got);
            });
            wait.runOnce(Duration.ofMillis(50));
            assertTrue(r.isActive(), "no client yet: the connect stays pending");
            StreamHandle client = wait.attach(OverlappedPipe.openClient(name));
            client.write(ByteBuffer.wrap("after connect".getBytes(StandardCharsets.US_ASCII)), (n, e) -> client.close());
            wait.run();
            assertFalse(r.isActive());
            assertEquals(1, connected.size());
            assertSame(server, connected.get(0));
        }
        assertEquals("after connect", new String(got.data(), StandardCharsets.US_ASCII));
        assertEquals(CloseReason.COMPLETED, got.reason);
    }

    @Test
    void clientThatConnectedFirstCountsAsConnected() {
        String name = OverlappedPipe.uniqueName();
        WinNT.HANDLE serverHandle = Handles.handle(OverlappedPipe.createServer(name));
        WinNT.HANDLE clientHandle = Handles.handle(OverlappedPipe.openClient(name)); // before ConnectNamedPipe: 535, no packet
        CloseReason[] end = new CloseReason[1];
        int[] calls = {0};
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(Handles.raw(serverHandle));
            server.connect(new dev.multiwait.ConnectListener() {
                @Override
                public void onConnected(StreamHandle pipe) {
                    calls[0]++;
                }

                @Override
                public void onClose(CloseReason reason, Exception error) {
                    end[0] = reason;
                }
            });
            wait.run(); // must return: the connect ends at once, without waiting for a packet
        } finally {
            Kernel32.INSTANCE.CloseHandle(clientHandle);
        }
        assertEquals(1, calls[0]);
        assertEquals(CloseReason.COMPLETED, end[0]);
    }

    @Test
    void cancelledConnectReportsCancelled() {
        CloseReason[] end = new CloseReason[1];
        Exception[] error = new Exception[1];
        try (MultiHandleWait wait = new MultiHandleWait()) {
            StreamHandle server = wait.attach(OverlappedPipe.createServer(OverlappedPipe.uniqueName()));
            Registration r = server.connect(new dev.multiwait.ConnectListener() {
                @Override
                public void onConnected(StreamHandle pipe) {
                    throw new AssertionError("no client ever came");
                }

                @Override
                public void onClose(CloseReason reason, Exception e) {
                    end[0] = reason;
                    error[0] = e;
                }
            });
            wait.runOnce(Duration.ofMillis(20));
            r.cancel();
            wait.run();
        }
        assertEquals(CloseReason.CANCELLED, end[0]);
        assertNull(error[0]);
    }
}
