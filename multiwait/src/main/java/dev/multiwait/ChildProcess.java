package dev.multiwait;

import dev.multiwait.internal.BatchCommand;
import dev.multiwait.internal.GracefulStop;
import dev.multiwait.internal.JobObject;
import dev.multiwait.internal.Platform;
import dev.multiwait.internal.ProcessLaunch;
import dev.multiwait.win32.Win32;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child process whose stdio a {@link MultiHandleWait} pumps: the child gets ordinary synchronous
 * pipe ends, the parent keeps overlapped ends attached to the waiter, so hundreds of children need
 * no thread each. Java's own {@code Process} streams are anonymous pipes that can never join a port.
 *
 * <p>stdout and stderr are separate streams unless {@link Builder#redirectErrorStream(boolean)}
 * merges stderr into stdout (one pipe, both handles). stdin stays open until {@link #closeStdin()},
 * which closes it after every queued write has gone out; the child then reads end of file.
 * Read stdout (and stderr) promptly: a child blocks once a pipe's 64 KiB buffer is full.
 *
 * <p>A {@code .bat}/{@code .cmd} target (the name's extension, ignoring trailing dots and spaces)
 * runs through {@code cmd.exe /d /e:ON /v:OFF /s /c} with cmd.exe's quoting, so its {@code %~1} is the
 * argument exactly; {@link #builder} refuses, with {@link IllegalArgumentException}, any argument for
 * a batch file holding {@code "}, {@code %} or a control character, which no quoting keeps from
 * cmd.exe. A name without extension never runs a batch file ({@code CreateProcessW} appends .exe).
 *
 * <p>Every child runs in its waiter's job object (kill on close) and in a job of its own nested in
 * it, joined before its first instruction: whatever it starts joins both. {@link #killTree()} ends
 * the child's tree; {@link MultiHandleWait#close()}, or this process dying, ends every tree.
 * Each child is also the leader of its own process group, for {@link #stop(Duration)}.
 */
public final class ChildProcess implements AutoCloseable {
    private final MultiHandleWait wait;
    private final Win32 win32;
    private final long pid;
    private final String name;
    private final StreamHandle stdin;
    private final StreamHandle stdout;
    private final StreamHandle stderr;
    private final Registration exitWatch;
    /** The child's own job: it and its descendants. */
    private final JobObject tree;
    private final List<ExitListener> exitListeners = new ArrayList<>();
    private final AtomicInteger pendingStdinWrites = new AtomicInteger();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    /** stdout and stderr (or the one merged stream) not yet ended. */
    private final AtomicInteger openOutputs = new AtomicInteger();
    private volatile long process;
    private volatile Integer exitCode;
    /** How the exit watch ended without an exit (loop thread only); null while watching or after an exit. */
    private CloseReason watchEnd;
    private Exception watchError;
    private volatile boolean stdinCloseRequested;
    private volatile boolean closed;

    /** Describes a launch, as {@link ProcessBuilder} does. */
    public static final class Builder {
        private final List<String> command;
        private Path directory;
        private Map<String, String> environment;
        private boolean redirectErrorStream;
        private ChildGroup group;
        private final Redirect[] redirects = {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};

        private Builder(List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("empty command");
            }
            for (int i = 0; i < command.size(); i++) {
                if (command.get(i) == null) {
                    throw new NullPointerException(i == 0 ? "command: the program is null" : "command argument " + i + " is null");
                }
            }
            if (BatchCommand.isBatch(command.get(0))) {
                BatchCommand.checkArguments(command);
            }
            this.command = List.copyOf(command);
        }

        /**
         * Working directory of the child; the parent's if not set.
         *
         * @param directory the directory, or null for the parent's
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /**
         * The child's environment, initially a copy of this process's; edit it in place. Names are
         * case-insensitive, as Windows treats them: {@code put("PATH", x)} replaces {@code Path}'s
         * value, {@code remove("PATH")} removes {@code Path}. {@code SystemRoot} is added at launch
         * from this process's if the map lacks it (Winsock fails in a child without it).
         *
         * @return the mutable environment map
         */
        public Map<String, String> environment() {
            if (environment == null) {
                environment = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                environment.putAll(System.getenv());
            }
            return environment;
        }

        /**
         * Where the child's stdin comes from: {@link Redirect#PIPE} (default), a file, NUL, or ours.
         *
         * @param redirect where
         * @return this builder
         */
        public Builder redirectInput(Redirect redirect) {
            redirects[0] = ChildStdio.check(redirect, 0);
            return this;
        }

        /**
         * Where the child's stdout goes: {@link Redirect#PIPE} (default), a file, NUL, or ours.
         *
         * @param redirect where
         * @return this builder
         */
        public Builder redirectOutput(Redirect redirect) {
            redirects[1] = ChildStdio.check(redirect, 1);
            return this;
        }

        /**
         * Where the child's stderr goes; ignored while {@link #redirectErrorStream} merges it into stdout.
         *
         * @param redirect where
         * @return this builder
         */
        public Builder redirectError(Redirect redirect) {
            redirects[2] = ChildStdio.check(redirect, 2);
            return this;
        }

        /**
         * Merge stderr into stdout (default: separate streams), wherever stdout goes.
         *
         * @param merge true for one stream carrying both
         * @return this builder
         */
        public Builder redirectErrorStream(boolean merge) {
            this.redirectErrorStream = merge;
            return this;
        }

        /**
         * Starts the child in {@code group} (of the same waiter), which can end it with its tree.
         *
         * @param group the group, or null for none
         * @return this builder
         */
        public Builder group(ChildGroup group) {
            this.group = group;
            return this;
        }

        /**
         * Starts the child with its stdio ends attached to {@code wait}.
         *
         * @param wait the waiter that pumps its stdio and sees its exit
         * @return the running child
         *
         * @throws MultiWaitException naming the command line (and directory) and the Win32 error:
         *         2 for a missing executable, 267 or 3 for a bad directory
         * @throws UnsupportedOperationException where {@link MultiHandleWait#isSupported()} is false
         */
        public ChildProcess start(MultiHandleWait wait) {
            Platform.requireSupported(); // the builder itself is plain configuration, usable anywhere
            return new ChildProcess(wait, this);
        }
    }

    /**
     * Describes a launch of {@code command} (the program, then its arguments).
     *
     * @param command the program, then its arguments, each passed to the child intact
     * @return a builder to set the directory, environment, redirects and group, then start
     * @throws IllegalArgumentException for an empty command, or an argument a batch file cannot get safely
     */
    public static Builder builder(String... command) {
        Objects.requireNonNull(command, "command");
        return new Builder(Arrays.asList(command));
    }

    /**
     * As {@link #builder(String...)}.
     *
     * @param command the program, then its arguments
     * @return a builder
     */
    public static Builder builder(List<String> command) {
        return new Builder(Objects.requireNonNull(command, "command"));
    }

    private ChildProcess(MultiHandleWait wait, Builder b) {
        this.wait = Objects.requireNonNull(wait, "wait");
        wait.checkOpen(); // before anything is created or launched
        if (b.group != null && b.group.waiter() != wait) {
            throw new IllegalArgumentException("the child group belongs to another MultiHandleWait");
        }
        if (b.group != null && b.group.job().isClosed()) {
            throw new IllegalStateException("the child group is closed");
        }
        this.name = b.command.get(0);
        this.win32 = wait.win32();
        ChildStdio ends = new ChildStdio(win32, b.redirects, b.redirectErrorStream);
        ProcessLaunch.Started started;
        JobObject[] placed = new JobObject[1];
        try {
            started = ProcessLaunch.start(win32, b.command, b.directory == null ? null : b.directory.toString(),
                    b.environment, ends.childEnds[0], ends.childEnds[1], ends.childEnds[2],
                    (process, pid) -> placed[0] = wait.childJobs().place(process, pid,
                            b.group == null ? null : b.group.job()));
        } catch (RuntimeException e) {
            ends.closeAll(win32);
            throw e;
        }
        ends.closeChildEnds(win32);
        this.process = started.process();
        this.pid = started.pid();
        this.tree = placed[0];
        // If the waiter refuses an end (closed meanwhile, a native failure), the caller gets the
        // exception and no ChildProcess to manage: the child is terminated and everything closed.
        List<StreamHandle> attached = new ArrayList<>(3);
        StreamHandle[] piped = new StreamHandle[3];
        List<Long> parentEnds = new ArrayList<>();
        for (long end : ends.parentEnds) {
            if (end != 0) {
                parentEnds.add(end);
            }
        }
        try {
            for (int i = 0; i < 3; i++) {
                long end = ends.parentEnds[i];
                if (end != 0) {
                    piped[i] = wait.attach(end);
                    attached.add(piped[i]);
                    parentEnds.remove(Long.valueOf(end));
                }
            }
            this.stdin = piped[0];
            openOutputs.set((piped[1] != null ? 1 : 0) + (piped[2] != null ? 1 : 0));
            this.stdout = piped[1] == null ? null : new ChildOutput(piped[1], this::outputEnded);
            this.stderr = piped[2] == null ? null : new ChildOutput(piped[2], this::outputEnded);
            this.exitWatch = watchExit();
        } catch (RuntimeException e) {
            win32.terminateProcess(process, 1);
            win32.closeHandle(process);
            wait.childJobs().release(tree);
            parentEnds.forEach(win32::closeHandle);
            for (StreamHandle h : attached) {
                try {
                    h.close();
                } catch (RuntimeException closeFailed) {
                    e.addSuppressed(closeFailed);
                }
            }
            throw e;
        }
    }

    private Registration watchExit() {
        return wait.watchProcess(process, new ExitListener() {
            @Override
            public void onExit(int code) {
                exitCode = code;
                notifyExitListeners(l -> l.onExit(code));
                exited.complete(code);
                finishIfDone();
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                releaseProcessHandle();
                if (exitCode == null) {
                    watchEnd = reason;
                    watchError = error != null ? error : new IllegalStateException("the exit of process " + pid
                            + " (" + name + ") was not seen: its exit watch ended " + reason);
                    notifyExitListeners(l -> l.onClose(watchEnd, watchError));
                    exited.completeExceptionally(watchError);
                    finished.completeExceptionally(watchError);
                }
            }
        });
    }

    /** Calls each waiting listener once, on the loop thread; one that throws is reported and skips no other. */
    private void notifyExitListeners(java.util.function.Consumer<ExitListener> call) {
        List<ExitListener> listeners = List.copyOf(exitListeners);
        exitListeners.clear();
        for (ExitListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException | Error e) {
                wait.reportCallbackError(exitWatch, e);
            }
        }
    }

    /**
     * The child's process id.
     *
     * @return the id Windows gave it
     */
    public long pid() {
        return pid;
    }

    /**
     * The child's stdout.
     *
     * @return the parent's end (also carrying stderr when merged); null when redirected
     */
    public StreamHandle stdout() {
        return stdout;
    }

    /**
     * The child's stderr.
     *
     * @return the parent's end; null when merged into stdout or redirected
     */
    public StreamHandle stderr() {
        return stderr;
    }

    /**
     * Queues bytes for the child's stdin.
     *
     * @param data     the bytes; the buffer is the caller's again when this returns
     * @param listener told on the loop thread how the write ended; may be null
     */
    public void writeStdin(ByteBuffer data, WriteListener listener) {
        if (stdin == null) {
            throw new IllegalStateException("stdin of process " + pid + " (" + name + ") is redirected, not piped");
        }
        if (stdinCloseRequested) {
            throw new IllegalStateException("stdin of process " + pid + " (" + name + ") is closed");
        }
        pendingStdinWrites.incrementAndGet();
        try {
            stdin.write(data, (n, error) -> {
                try {
                    if (listener != null) {
                        listener.onWritten(n, error);
                    }
                } finally {
                    writeDone();
                }
            });
        } catch (RuntimeException | Error refused) {
            writeDone(); // never queued: it must not hold closeStdin() back
            throw refused;
        }
    }

    private void writeDone() {
        if (pendingStdinWrites.decrementAndGet() == 0 && stdinCloseRequested) {
            stdin.close();
        }
    }

    /** Closes stdin once every queued write has gone out; the child then reads end of file. */
    public void closeStdin() {
        if (stdin == null) {
            return;
        }
        stdinCloseRequested = true;
        wait.execute(() -> {
            if (pendingStdinWrites.get() == 0) {
                stdin.close();
            }
        });
    }

    /**
     * Calls {@code listener} on the loop thread exactly once: {@code onExit} with the exit code (at
     * once, on the loop, if the process has already exited), or, if the exit watch ended without
     * seeing the exit ({@link #close()} first, or a failing Win32 call), {@code onClose} with that
     * reason and an error saying why. What a listener throws goes to the {@link CallbackErrorHandler};
     * the other listeners are still called.
     *
     * @param listener told the exit code, or how the watch ended
     */
    public void onExit(ExitListener listener) {
        Objects.requireNonNull(listener, "listener");
        wait.execute(() -> {
            exitListeners.add(listener);
            Integer code = exitCode;
            if (code != null) {
                notifyExitListeners(l -> l.onExit(code));
            } else if (watchEnd != null) {
                notifyExitListeners(l -> l.onClose(watchEnd, watchError));
            }
        });
    }

    /**
     * Completes with the exit code once the waiter has seen the exit (on the loop thread, after the
     * exit listeners); exceptionally, with the reason, if the exit watch ended without seeing it.
     * Each call returns a new dependent future: completing it does not touch the child's.
     *
     * @return a future of the exit code
     */
    public CompletableFuture<Integer> onExit() {
        return exited.copy();
    }

    /**
     * Completes with the exit code once the child has exited AND each of its output streams (stdout,
     * and stderr unless merged) has ended: its read ended at end of stream or with an error, or the
     * stream was closed. It completes after the last {@code onData} and {@code onClose} of those
     * reads returned, so no byte comes after it: the order a log pump needs. It completes on the loop
     * thread (or the thread that closed the last stream); exceptionally if the exit watch ended
     * without the exit. A read cancelled through its Registration does not end a stream (it may be
     * read again); stdin is not waited for.
     *
     * @return a future of the exit code, completed after the last output
     */
    public CompletableFuture<Integer> finished() {
        return finished.copy();
    }

    private void outputEnded() {
        openOutputs.decrementAndGet();
        finishIfDone();
    }

    private void finishIfDone() {
        Integer code = exitCode;
        if (code != null && openOutputs.get() == 0) {
            finished.complete(code);
        }
    }

    /**
     * The exit code, once known.
     *
     * @return the exit code once the waiter has seen the exit; empty while running
     */
    public OptionalInt exitCode() {
        Integer code = exitCode;
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /**
     * TerminateProcess with exit code 1.
     *
     * @return false if the process had already exited (nothing to kill)
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized boolean kill() {
        if (closed) {
            throw new IllegalStateException("process " + pid + " (" + name + ") is closed");
        }
        long h = process;
        if (h == 0 || exitCode != null) {
            return false;
        }
        if (!win32.terminateProcess(h, 1)) {
            int error = win32.lastError();
            if (error == 5) { // access denied: it is already exiting
                return false;
            }
            throw new MultiWaitException("TerminateProcess(pid " + pid + ")", h, error, null);
        }
        return true;
    }

    /**
     * Ends this child and every process it started, however deep (TerminateJobObject on its own
     * job, exit code 1), also after the child itself has exited. Descendants cannot break away
     * from the job.
     *
     * @return false if nothing in the tree was running
     * @throws IllegalStateException after {@link #close()}
     * @throws MultiWaitException if QueryInformationJobObject or TerminateJobObject fails
     */
    public synchronized boolean killTree() {
        if (closed || tree.isClosed()) {
            throw new IllegalStateException("process " + pid + " (" + name + ") is closed");
        }
        if (tree.activeProcesses() == 0) {
            return false;
        }
        tree.terminate(1);
        return true;
    }

    /**
     * Asks the child to stop: Ctrl-Break to its process group, then {@link #killTree()} once
     * {@code timeout} has passed (at once if zero), whether or not the child exited meanwhile (it is
     * a no-op on an empty tree; a failure of it then goes to the {@link CallbackErrorHandler}).
     * Windows delivers console control events only to processes attached to the caller's console,
     * and children here run on their own hidden console (CREATE_NO_WINDOW); where the event is
     * refused (always under Wine 8: error 12) the tree is killed at once, on this thread. Watch the
     * exit with {@link #onExit()}.
     *
     * @param timeout how long the child has to exit before its tree is killed
     * @return true if Ctrl-Break was sent; false if it was refused (the tree was killed) or the child
     *         had already exited (nothing done)
     * @throws NullPointerException for a null timeout; IllegalArgumentException for a negative one
     * @throws IllegalStateException after {@link #close()}
     * @throws MultiWaitException if the event was refused and killing the tree failed
     */
    public boolean stop(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        if (closed) {
            throw new IllegalStateException("process " + pid + " (" + name + ") is closed");
        }
        if (exitCode != null) {
            return false;
        }
        long ms = timeout.getSeconds() >= Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : timeout.toMillis();
        return GracefulStop.stop(win32, (int) pid, ms, this::killTree, this::escalateStop);
    }

    /** stop()'s escalation, on the timer thread: a failure is reported on the loop thread, unless closed meanwhile. */
    private void escalateStop() {
        try {
            if (!closed) {
                killTree();
            }
        } catch (RuntimeException e) {
            try {
                wait.execute(() -> wait.reportCallbackError(exitWatch, e));
            } catch (IllegalStateException waiterClosed) {
                // the waiter's close() ended the tree anyway
            }
        }
    }

    private synchronized void releaseProcessHandle() {
        if (process != 0) {
            win32.closeHandle(process);
            process = 0;
        }
    }

    /**
     * Stops watching, closes the stdio ends (cancelling their I/O), the process handle and the child's
     * own job. Does not kill: the child's tree runs on in the waiter's job until the waiter closes.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            wait.childJobs().release(tree);
        }
        exitWatch.cancel();
        for (StreamHandle h : new StreamHandle[] {stdin, stdout, stderr}) {
            if (h != null) {
                h.close();
            }
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid + ", " + name + (exitCode != null ? ", exit " + exitCode : "") + "]";
    }
}
