package dev.multiwait.internal;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyTableTest {
    static final class Item implements KeyTable.Keyed {
        private long key;
        final int id;

        Item(int id) {
            this.id = id;
        }

        @Override
        public long key() {
            return key;
        }

        @Override
        public void assignKey(long key) {
            this.key = key;
        }

        @Override
        public String toString() {
            return "Item" + id;
        }
    }

    private final KeyTable<Item> table = new KeyTable<>();

    @Test
    void keysAreNeverZeroAndEachEntryKnowsItsKey() {
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Item item = new Item(i);
            long key = table.add(item);
            assertNotEquals(0L, key);
            assertNotEquals(EventLoop.WAKE_KEY, key);
            assertEquals(key, item.key());
            assertTrue(keys.add(key), "duplicate key " + key);
            assertSame(item, table.get(key));
        }
        assertEquals(10, table.size());
    }

    @Test
    void reusingASlotIssuesANewKeyAndTheOldKeyGoesStale() {
        Item first = new Item(1);
        long k1 = table.add(first);
        assertTrue(table.remove(k1));
        Item second = new Item(2);
        long k2 = table.add(second);

        assertEquals((int) k1, (int) k2, "the freed slot should be reused");
        assertNotEquals(k1, k2, "a reused slot must not reissue the key");
        assertNull(table.get(k1), "stale key reached the slot's next tenant");
        assertSame(second, table.get(k2));
    }

    @Test
    void removeAndReAddOfTheSameSlotNeverRepeatsAKey() {
        Set<Long> keys = new HashSet<>();
        Item sameObject = new Item(7);
        for (int i = 0; i < 5000; i++) {
            long key = table.add(i % 2 == 0 ? sameObject : new Item(i));
            assertTrue(keys.add(key), "key reissued after " + i + " reuses: 0x" + Long.toHexString(key));
            assertTrue(table.remove(key));
        }
        assertEquals(0, table.size());
    }

    @Test
    void generationWrapSkipsZeroSoNoKeyIsEverZero() throws Exception {
        Item a = new Item(1);
        long k = table.add(a);
        table.remove(k);
        Field g = KeyTable.class.getDeclaredField("generations");
        g.setAccessible(true);
        int[] generations = (int[]) g.get(table);
        generations[(int) k] = -1; // the next increment wraps to 0
        Item b = new Item(2);
        long wrapped = table.add(b);
        assertNotEquals(0L, wrapped);
        assertEquals(1, (int) (wrapped >>> 32), "generation should restart at 1");
        assertSame(b, table.get(wrapped));
        assertNull(table.get(0));
    }

    @Test
    void aSlotWhoseGenerationsAreUsedUpIsRetiredSoNoKeyIsEverIssuedTwice() throws Exception {
        long first = table.add(new Item(1));
        int slot = (int) first;
        table.remove(first);
        Field g = KeyTable.class.getDeclaredField("generations");
        g.setAccessible(true);
        ((int[]) g.get(table))[slot] = KeyTable.LAST_GENERATION - 1; // 2^32-2 reuses so far
        Item last = new Item(2);
        long lastKey = table.add(last);
        assertEquals(slot, (int) lastKey, "the slot's last generation is still used");
        assertEquals(0xFFFFFFFFL, lastKey >>> 32);
        assertTrue(table.remove(lastKey));
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            long k = table.add(new Item(3 + i));
            assertNotEquals(slot, (int) k, "a retired slot is never reused");
            assertTrue(keys.add(k) && k != first && k != lastKey, "key issued twice: 0x" + Long.toHexString(k));
            table.remove(k);
        }
        assertNull(table.get(lastKey));
        assertNull(table.get(first));
    }

    @Test
    void lookupsOfKeysNeverIssuedOrStaleReturnNull() {
        Item a = new Item(1);
        long key = table.add(a);
        int slot = (int) key;
        long generation = key >>> 32;
        assertNull(table.get(0));
        assertNull(table.get(-1));
        assertNull(table.get(Long.MAX_VALUE));
        assertNull(table.get(Long.MIN_VALUE));
        assertNull(table.get(((generation + 1) << 32) | slot), "wrong generation, same slot");
        assertNull(table.get((generation << 32) | (slot + 1)), "unused slot");
        assertNull(table.get((generation << 32) | 1_000_000), "slot beyond the table");
        assertSame(a, table.get(key));
    }

    @Test
    void removeOfAnUnknownOrStaleKeyIsANoOp() {
        Item a = new Item(1);
        Item b = new Item(2);
        long ka = table.add(a);
        long kb = table.add(b);
        assertFalse(table.remove(0));
        assertFalse(table.remove(-1));
        assertFalse(table.remove(ka + (1L << 32)));
        assertFalse(table.remove(5_000));
        assertEquals(2, table.size());

        assertTrue(table.remove(ka));
        assertFalse(table.remove(ka), "double remove");
        Item c = new Item(3);
        long kc = table.add(c); // reuses a's slot
        assertFalse(table.remove(ka), "a stale key removed the slot's new tenant");
        assertSame(c, table.get(kc));
        assertSame(b, table.get(kb));
        assertEquals(2, table.size());
        // the free list was not corrupted by the no-ops: two fresh adds get two distinct slots
        long kd = table.add(new Item(4));
        long ke = table.add(new Item(5));
        assertNotEquals((int) kd, (int) ke);
        assertNotEquals((int) kd, (int) kc);
        assertNotEquals((int) ke, (int) kb);
    }

    @Test
    void growsPast64() {
        List<Item> items = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Item it = new Item(i);
            items.add(it);
            keys.add(table.add(it));
        }
        for (int i = 0; i < 200; i++) {
            assertSame(items.get(i), table.get(keys.get(i)), "entry " + i);
        }
        assertEquals(200, table.size());
        assertEquals(200, new HashSet<>(keys).size());
        assertEquals(new HashSet<>(items), new HashSet<>(table.snapshot()));
    }

    @Test
    void holdsAHundredThousandEntriesAndRecyclesThem() {
        int n = 100_000;
        Item[] items = new Item[n];
        long[] keys = new long[n];
        Set<Long> seen = new HashSet<>(2 * n);
        for (int i = 0; i < n; i++) {
            items[i] = new Item(i);
            keys[i] = table.add(items[i]);
            assertTrue(seen.add(keys[i]));
        }
        assertEquals(n, table.size());
        for (int i = 0; i < n; i++) {
            if (table.get(keys[i]) != items[i]) {
                throw new AssertionError("entry " + i + " lost");
            }
        }
        for (int i = 0; i < n; i += 2) {
            assertTrue(table.remove(keys[i]));
        }
        assertEquals(n / 2, table.size());
        for (int i = 0; i < n; i++) {
            Object expected = i % 2 == 0 ? null : items[i];
            if (table.get(keys[i]) != expected) {
                throw new AssertionError("entry " + i + ": expected " + expected + ", got " + table.get(keys[i]));
            }
        }
        for (int i = 0; i < n / 2; i++) {
            long k = table.add(new Item(n + i));
            assertTrue(seen.add(k), "reissued key after recycling");
            assertTrue((int) k < n, "freed slots should be reused before growing");
        }
        assertEquals(n, table.size());
    }

    @Test
    void concurrentAddRemoveWithLookupsStayingCorrect() throws Exception {
        int permanent = 100;
        Item[] fixed = new Item[permanent];
        long[] fixedKeys = new long[permanent];
        for (int i = 0; i < permanent; i++) {
            fixed[i] = new Item(-i - 1);
            fixedKeys[i] = table.add(fixed[i]);
        }
        int writers = 6;
        int perWriter = 20_000;
        Set<Long> issued = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);

        // The loop thread's role: lock-free lookups while writers add, grow and remove.
        Thread reader = new Thread(() -> {
            try {
                start.await();
                while (!done.get()) {
                    for (int i = 0; i < permanent; i++) {
                        if (table.get(fixedKeys[i]) != fixed[i]) {
                            throw new AssertionError("permanent entry " + i + " not found during churn");
                        }
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    List<Item> mine = new ArrayList<>();
                    List<Long> mineKeys = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        Item it = new Item(id * perWriter + i);
                        long k = table.add(it);
                        if (!issued.add(k)) {
                            throw new AssertionError("key issued twice: 0x" + Long.toHexString(k));
                        }
                        mine.add(it);
                        mineKeys.add(k);
                        if (table.get(k) != it) {
                            throw new AssertionError("fresh entry not found");
                        }
                        // keep up to 50 alive, so the table grows and slots are shared between threads
                        if (mine.size() > 50 || (i % 3 == 0 && !mine.isEmpty())) {
                            int j = (i * 7) % mine.size();
                            long rk = mineKeys.remove(j);
                            Item removed = mine.remove(j);
                            if (table.get(rk) != removed) {
                                throw new AssertionError("live entry lost before remove");
                            }
                            if (!table.remove(rk)) {
                                throw new AssertionError("remove of a live key failed");
                            }
                            if (table.get(rk) != null) {
                                throw new AssertionError("removed key still found");
                            }
                        }
                    }
                    for (int j = 0; j < mine.size(); j++) {
                        if (table.get(mineKeys.get(j)) != mine.get(j)) {
                            throw new AssertionError("entry lost");
                        }
                        table.remove(mineKeys.get(j));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        reader.start();
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(t.isAlive(), "writer stuck");
        }
        done.set(true);
        reader.join(5000);
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(writers * perWriter, issued.size());
        assertEquals(permanent, table.size());
        assertEquals(Set.of(fixed), new HashSet<>(table.snapshot()));
        for (int i = 0; i < permanent; i++) {
            assertSame(fixed[i], table.get(fixedKeys[i]));
        }
    }
}
