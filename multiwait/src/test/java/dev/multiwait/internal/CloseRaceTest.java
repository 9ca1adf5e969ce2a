package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;

/** Calls from other threads racing the loop's close() (issue 10, suspected items): all or nothing, never silent. */
class CloseRaceTest {

    @Test
    void anAttachRacingCloseNeverBindsAHandleTheCloseHasClosed() throws Exception {
        Harness h = new Harness(true);
        long handle = 0x2a4;
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch associating = new CountDownLatch(1);
        // CreateIoCompletionPort is slow for this handle: close() runs on another thread meanwhile
        doAnswer(i -> {
            associating.countDown();
            Thread.sleep(300);
            calls.add("associate");
            return MemoryPort.PORT_HANDLE;
        }).when(h.win32).createIoCompletionPort(eq(handle), anyLong(), anyLong(), anyInt());
        doAnswer(i -> {
            calls.add("close");
            return true;
        }).when(h.win32).closeHandle(handle);
        AtomicReference<Object> attached = new AtomicReference<>();
        Thread attacher = new Thread(() -> {
            try {
                attached.set(h.attach(handle));
            } catch (Throwable t) {
                attached.set(t);
            }
        });
        attacher.start();
        assertTrue(associating.await(10, TimeUnit.SECONDS));
        assertTrue(h.loop.close(1000));
        attacher.join(10_000);
        if (attached.get() instanceof StreamEntry) {
            // handed over before the close: the close owns it and closed it, after binding it
            assertEquals(List.of("associate", "close"), calls);
        } else {
            assertTrue(attached.get() instanceof IllegalStateException, String.valueOf(attached.get()));
            assertEquals(List.of(), calls, "refused: untouched and still the caller's");
        }
    }

    @Test
    void anExecuteRacingCloseEitherRunsOrThrows() throws Exception {
        int lost = 0;
        for (int round = 0; round < 200; round++) {
            Harness h = new Harness(true);
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread caller = new Thread(() -> {
                started.countDown();
                for (int i = 0; i < 20_000 && !h.loop.isClosed(); i++) {
                    try {
                        h.loop.execute(ran::incrementAndGet);
                        accepted.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        return;
                    } catch (Throwable t) {
                        unexpected.set(t);
                        return;
                    }
                }
                // one more after the flag: refused, or run by the drain
                try {
                    h.loop.execute(ran::incrementAndGet);
                    accepted.incrementAndGet();
                } catch (IllegalStateException closed) {
                    // refused
                } catch (Throwable t) {
                    unexpected.set(t);
                }
            });
            caller.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));
            h.loop.close(1000);
            caller.join(10_000);
            assertFalse(caller.isAlive());
            assertNull(unexpected.get(), "a call racing close() is refused as closed, nothing else");
            lost += accepted.get() - ran.get();
        }
        assertEquals(0, lost, "tasks execute() accepted but nothing ran");
    }
}
