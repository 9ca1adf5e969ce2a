package dev.multiwait.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Completion key to entry, in O(1). A key is {@code generation << 32 | slot}: slots are recycled,
 * but each reuse bumps the slot's generation, so a stale packet for a freed key never reaches
 * the slot's next tenant. Generations run from 1 to 2^32-1 and never wrap: a slot whose generations
 * are used up is retired (one array cell per 4 billion reuses), so no key is ever issued twice, and
 * none is 0 (the loop's wake key).
 * Writers lock; the loop thread's lookup is a lock-free acquire read.
 */
public final class KeyTable<E extends KeyTable.Keyed> {
    /** An entry knows its own key, so a lookup needs one read and one compare. */
    public interface Keyed {
        long key();

        void assignKey(long key);
    }

    /** 2^32-1 as an unsigned int: a slot that reached it is never reused. */
    static final int LAST_GENERATION = -1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private volatile Object[] entries = new Object[64];
    private int[] generations = new int[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int used;
    private int size;
    /** Entries ever added: lets a closer see that something was added after it looked. */
    private long adds;

    /** Stores {@code entry} and returns its new, never-before-issued key. */
    public synchronized long add(E entry) {
        int slot = -1;
        while (slot < 0 && freeCount > 0) {
            int free = freeSlots[--freeCount];
            if (generations[free] != LAST_GENERATION) {
                slot = free;
            } // else every key of that slot has been issued: it is retired
        }
        if (slot < 0) {
            if (used == entries.length) {
                grow();
            }
            slot = used++;
        }
        int generation = ++generations[slot];
        long key = ((long) generation << 32) | slot;
        entry.assignKey(key);
        SLOT.setRelease(entries, slot, entry);
        size++;
        adds++;
        return key;
    }

    /** Removes the entry with this key; a key already removed (or never issued) is ignored. */
    public synchronized boolean remove(long key) {
        int slot = (int) key;
        if (slot < 0 || slot >= used || entries[slot] == null || ((Keyed) entries[slot]).key() != key) {
            return false;
        }
        SLOT.setRelease(entries, slot, null);
        freeSlots[freeCount++] = slot;
        size--;
        return true;
    }

    @SuppressWarnings("unchecked")
    public E get(long key) {
        int slot = (int) key;
        Object[] e = entries;
        if (slot < 0 || slot >= e.length) {
            return null;
        }
        Object entry = SLOT.getAcquire(e, slot);
        return entry != null && ((Keyed) entry).key() == key ? (E) entry : null;
    }

    /** How many entries were ever added. */
    public synchronized long adds() {
        return adds;
    }

    public synchronized int size() {
        return size;
    }

    /** A snapshot of the live entries, for shutdown. */
    @SuppressWarnings("unchecked")
    public synchronized java.util.List<E> snapshot() {
        java.util.List<E> out = new java.util.ArrayList<>(size);
        for (int i = 0; i < used; i++) {
            if (entries[i] != null) {
                out.add((E) entries[i]);
            }
        }
        return out;
    }

    private void grow() {
        int n = entries.length * 2;
        entries = Arrays.copyOf(entries, n);
        generations = Arrays.copyOf(generations, n);
        freeSlots = Arrays.copyOf(freeSlots, n);
    }
}
