package dev.multiwait.it;

import dev.multiwait.demo.Handles;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import dev.multiwait.AcceptListener;
import dev.multiwait.ChildProcess;
import dev.multiwait.ReadRegistration;
import dev.multiwait.CloseReason;
import dev.multiwait.MultiHandleWait;
import dev.multiwait.MultiWaitException;
import dev.multiwait.OverlappedPipe;
import dev.multiwait.ReadListener;
import dev.multiwait.Registration;
import dev.multiwait.RelayListener;
import dev.multiwait.SignalListener;
import dev.multiwait.SocketServer;
import dev.multiwait.StreamHandle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two-lambda listeners reaching their registration, and a relay's byte counts on every end reason, for real. */
class ListenerErgonomicsTest {
    private static final int SENT = 10_000;

    /** What a RelayListener.of(...) was told. */
    private static final class Ends {
        final List<String> ends = new CopyOnWriteArrayList<>();
        final List<Registration> current = new CopyOnWriteArrayList<>();
        volatile Exception error;

        RelayListener listener() {
            return RelayListener.of((from, to, bytes) -> current.add(Registration.current()), (reason, error, aToB, bToA) -> {
                current.add(Registration.current());
                this.error = error;
                ends.add(reason + " " + aToB + "/" + bToA);
            });
        }
    }

    @Test
    void aCancelledRelayReportsTheBytesItMoved() {
        OverlappedPipe.Pair p1 = OverlappedPipe.create();
        OverlappedPipe.Pair p2 = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Ends ends = new Ends();
            Registration relay = wait.relay(wait.attach(p1.server()), wait.attach(p2.server()), 4096, ends.listener());
            wait.attach(p1.client()).write(ByteBuffer.wrap(Pipes.randomBytes(1, SENT)), null);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            StreamHandle far = wait.attach(p2.client());
            Registration read = far.read(4096, ReadListener.of(d -> {
                byte[] b = new byte[d.remaining()];
                d.get(b);
                got.writeBytes(b);
                if (got.size() == SENT) {
                    relay.cancel();
                }
            }, (reason, error) -> { }));
            BridgeTestSupport.runGuarded(wait, "cancelled relay");
            assertEquals(List.of("CANCELLED " + SENT + "/0"), ends.ends);
            assertTrue(ends.current.stream().allMatch(r -> r == relay), "Registration.current() is the relay: " + ends.current);
            read.cancel();
        }
    }

    @Test
    void aFailedRelayReportsTheBytesItMoved() {
        OverlappedPipe.Pair p1 = OverlappedPipe.create();
        OverlappedPipe.Pair p2 = OverlappedPipe.create();
        try (MultiHandleWait wait = new MultiHandleWait()) {
            Ends ends = new Ends();
            Registration relay = wait.relay(wait.attach(p1.server()), wait.attach(p2.server()), 4096, ends.listener());
            StreamHandle near = wait.attach(p1.client());
            near.write(ByteBuffer.wrap(Pipes.randomBytes(2, SENT)), null);
            StreamHandle far = wait.attach(p2.client());
            int[] got = {0};
            far.read(4096, ReadListener.of(d -> {
                got[0] += d.remaining();
                if (got[0] == SENT) {
                    Registration.current().cancel();
                    far.close(); // the relay's next write into p2 fails (232)
                    near.write(ByteBuffer.allocate(100), null);
                }
            }, (reason, error) -> { }));
            BridgeTestSupport.runGuarded(wait, "failed relay");
            assertEquals(List.of("FAILED " + SENT + "/0"), ends.ends);
            MultiWaitException e = assertInstanceOf(MultiWaitException.class, ends.error);
            assertTrue(e.getMessage().contains("WriteFile"), e.getMessage());
            assertTrue(ends.current.stream().allMatch(r -> r == relay));
            near.close();
        }
    }

    @Test
    void aReadListenerPausesItsOwnReadThroughReadRegistrationCurrent() throws Exception {
        try (MultiHandleWait wait = new MultiHandleWait()) {
            ChildProcess child = ChildProcess.builder(Children.exe(), "args", "one", "two").redirectErrorStream(true).start(wait);
            List<Object> seen = new CopyOnWriteArrayList<>();
            AtomicReference<ReadRegistration> paused = new AtomicReference<>();
            ReadRegistration read = child.stdout().read(4096, ReadListener.of(d -> {
                seen.add(ReadRegistration.current());
                d.position(d.limit());
                if (paused.get() == null) {
                    paused.set(ReadRegistration.current());
                    ReadRegistration.current().pause();
                    wait.schedule(Duration.ofMillis(100), () -> paused.get().resume());
                }
            }, (reason, error) -> seen.add(reason + " " + (ReadRegistration.current() == paused.get()))));
            wait.schedule(Duration.ZERO, () -> seen.add("timer " + ReadRegistration.current()));
            assertNull(ReadRegistration.current(), "outside a listener");
            BridgeTestSupport.runGuarded(wait, "child read");
            assertEquals(0, child.finished().get());
            assertSame(read, paused.get(), "the read's own registration, through the child's stdout");
            assertTrue(seen.remove("timer null"), "a timer task is no read: " + seen);
            assertTrue(seen.stream().limit(seen.size() - 1).allMatch(r -> r == read), seen.toString());
            assertEquals("COMPLETED true", seen.get(seen.size() - 1));
        }
    }

    @Test
    void readAcceptAndSignalListenersFromTwoLambdasReachTheirRegistration() throws Exception {
        WinNT.HANDLE event = BridgeTestSupport.newEvent(false, false);
        try (MultiHandleWait wait = new MultiHandleWait()) {
            List<Object> seen = new CopyOnWriteArrayList<>();
            Registration watch = wait.watch(Handles.raw(event), true, SignalListener.of(() -> {
                seen.add(Registration.current());
                Registration.current().cancel();
            }, (reason, error) -> seen.add(reason + " " + Registration.current())));
            Kernel32.INSTANCE.SetEvent(event);
            BridgeTestSupport.runGuarded(wait, "signal");
            assertEquals(List.of(watch, "CANCELLED " + watch), seen);
            assertNull(Registration.current(), "outside a listener");

            AtomicReference<StreamHandle> accepted = new AtomicReference<>();
            List<Object> serverSeen = new CopyOnWriteArrayList<>();
            SocketServer server = wait.listen(Net.loopback4(0), AcceptListener.of((srv, s, peer) -> {
                accepted.set(s);
                serverSeen.add(Registration.current());
                srv.close();
            }, (reason, error) -> serverSeen.add(reason)));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort())) {
                BridgeTestSupport.runGuarded(wait, "accept");
                assertEquals(List.of(server, CloseReason.CANCELLED), serverSeen);
                List<Object> readSeen = new CopyOnWriteArrayList<>();
                client.getOutputStream().write(1);
                client.shutdownOutput();
                Registration read = accepted.get().read(16, ReadListener.of(d -> readSeen.add(Registration.current()),
                        (reason, error) -> readSeen.add(reason + " " + (Registration.current() != null))));
                BridgeTestSupport.runGuarded(wait, "read");
                assertEquals(List.of(read, "COMPLETED true"), readSeen);
                accepted.get().close();
                BridgeTestSupport.runGuarded(wait, "close");
            }
        } finally {
            BridgeTestSupport.close(event);
        }
    }
}
