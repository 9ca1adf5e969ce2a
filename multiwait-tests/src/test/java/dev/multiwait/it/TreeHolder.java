package dev.multiwait.it;

import dev.multiwait.ChildProcess;
import dev.multiwait.MultiHandleWait;

import java.util.ArrayList;
import java.util.List;

/** Run in its own JVM by ChildTreeTest: a waiter with a child tree; prints the tree's pids, then waits to be killed. */
public final class TreeHolder {
    private TreeHolder() {
    }

    public static void main(String[] args) throws InterruptedException {
        MultiHandleWait wait = new MultiHandleWait();
        ChildTreeTest.Lines lines = new ChildTreeTest.Lines();
        ChildProcess c = ChildProcess.builder(args[0], "tree", "2", "120000").start(wait);
        c.stdout().read(4096, lines);
        ChildTreeTest.pump(wait, () -> lines.pids().size() == 2, "the grandchildren");
        List<Integer> pids = new ArrayList<>(lines.pids());
        pids.add(0, (int) c.pid());
        pids.forEach(System.out::println);
        System.out.flush();
        Thread.sleep(120_000);
    }
}
