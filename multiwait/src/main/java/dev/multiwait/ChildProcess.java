package dev.multiwait;

import dev.multiwait.internal.ChildPipes;
import dev.multiwait.internal.Platform;
import dev.multiwait.internal.ProcessLaunch;
import dev.multiwait.win32.ProcessDirect;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
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
 */
public final class ChildProcess implements AutoCloseable {
    private final MultiHandleWait wait;
    private final long pid;
    private final String name;
    private final StreamHandle stdin;
    private final StreamHandle stdout;
    private final StreamHandle stderr;
    private final Registration exitWatch;
    private final List<ExitListener> exitListeners = new ArrayList<>();
    private final AtomicInteger pendingStdinWrites = new AtomicInteger();
    private volatile long process;
    private volatile Integer exitCode;
    private volatile boolean stdinCloseRequested;
    private volatile boolean closed;

    /** Describes a launch, as {@link ProcessBuilder} does. */
    public static final class Builder {
        private final List<String> command;
        private Path directory;
        private Map<String, String> environment;
        private boolean redirectErrorStream;

        private Builder(List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("empty command");
            }
            command.forEach(a -> Objects.requireNonNull(a, "command argument"));
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
         * The child's environment, initially a copy of this process's; edit it in place.
         *
         * @return the mutable environment map
         */
        public Map<String, String> environment() {
            if (environment == null) {
                environment = new HashMap<>(System.getenv());
            }
            return environment;
        }

        /**
         * Merge stderr into stdout (default: separate streams).
         *
         * @param merge true for one stream carrying both
         * @return this builder
         */
        public Builder redirectErrorStream(boolean merge) {
            this.redirectErrorStream = merge;
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
         */
        public ChildProcess start(MultiHandleWait wait) {
            return new ChildProcess(wait, this);
        }
    }

    /**
     * Describes a launch of {@code command} (the program, then its arguments).
     *
     * @param command the program, then its arguments, each passed to the child intact
     * @return a builder to set the directory, environment and stderr merge, then start
     *
     * @throws UnsupportedOperationException where {@link MultiHandleWait#isSupported()} is false
     */
    public static Builder builder(String... command) {
        Platform.requireSupported();
        return new Builder(List.of(command));
    }

    /**
     * As {@link #builder(String...)}.
     *
     * @param command the program, then its arguments
     * @return a builder
     */
    public static Builder builder(List<String> command) {
        Platform.requireSupported();
        return new Builder(command);
    }

    private ChildProcess(MultiHandleWait wait, Builder b) {
        this.wait = Objects.requireNonNull(wait, "wait");
        wait.checkOpen(); // before anything is created or launched
        this.name = b.command.get(0);
        List<Long> toClose = new ArrayList<>();
        ChildPipes.Pipe in = ChildPipes.create(true);
        toClose.add(in.parentEnd());
        toClose.add(in.childEnd());
        ChildPipes.Pipe out = null;
        ChildPipes.Pipe err = null;
        ProcessLaunch.Started started;
        try {
            out = ChildPipes.create(false);
            toClose.add(out.parentEnd());
            toClose.add(out.childEnd());
            if (!b.redirectErrorStream) {
                err = ChildPipes.create(false);
                toClose.add(err.parentEnd());
                toClose.add(err.childEnd());
            }
            started = ProcessLaunch.start(b.command, b.directory == null ? null : b.directory.toString(),
                    b.environment, in.childEnd(), out.childEnd(), err != null ? err.childEnd() : out.childEnd());
        } catch (RuntimeException e) {
            toClose.forEach(ProcessDirect::CloseHandle);
            throw e;
        }
        // The child has its copies now; ours must go, or the parent never sees end of file.
        ProcessDirect.CloseHandle(in.childEnd());
        ProcessDirect.CloseHandle(out.childEnd());
        if (err != null) {
            ProcessDirect.CloseHandle(err.childEnd());
        }
        this.process = started.process();
        this.pid = started.pid();
        // If the waiter refuses an end (closed meanwhile, a native failure), the caller gets the
        // exception and no ChildProcess to manage: the child is terminated and everything closed.
        List<StreamHandle> attached = new ArrayList<>(3);
        List<Long> parentEnds = new ArrayList<>(List.of(in.parentEnd(), out.parentEnd()));
        if (err != null) {
            parentEnds.add(err.parentEnd());
        }
        try {
            for (long end : List.copyOf(parentEnds)) {
                attached.add(wait.attach(end));
                parentEnds.remove(Long.valueOf(end));
            }
            this.stdin = attached.get(0);
            this.stdout = attached.get(1);
            this.stderr = err == null ? null : attached.get(2);
            this.exitWatch = watchExit();
        } catch (RuntimeException e) {
            ProcessDirect.TerminateProcess(process, 1);
            ProcessDirect.CloseHandle(process);
            parentEnds.forEach(ProcessDirect::CloseHandle);
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
                for (ExitListener l : exitListeners) {
                    l.onExit(code);
                }
            }

            @Override
            public void onClose(CloseReason reason, Exception error) {
                releaseProcessHandle();
            }
        });
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
     * @return the parent's end, attached to the waiter (also carrying stderr when merged)
     */
    public StreamHandle stdout() {
        return stdout;
    }

    /**
     * The child's stderr.
     *
     * @return the parent's end, attached to the waiter; null when merged into stdout
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
        if (stdinCloseRequested) {
            throw new IllegalStateException("stdin of process " + pid + " (" + name + ") is closed");
        }
        pendingStdinWrites.incrementAndGet();
        stdin.write(data, (n, error) -> {
            try {
                if (listener != null) {
                    listener.onWritten(n, error);
                }
            } finally {
                if (pendingStdinWrites.decrementAndGet() == 0 && stdinCloseRequested) {
                    stdin.close();
                }
            }
        });
    }

    /** Closes stdin once every queued write has gone out; the child then reads end of file. */
    public void closeStdin() {
        stdinCloseRequested = true;
        wait.execute(() -> {
            if (pendingStdinWrites.get() == 0) {
                stdin.close();
            }
        });
    }

    /**
     * Calls {@code listener} on the loop thread with the exit code, once; at once (on the loop) if
     * the process has already exited.
     *
     * @param listener told the exit code
     */
    public void onExit(ExitListener listener) {
        Objects.requireNonNull(listener, "listener");
        wait.execute(() -> {
            Integer code = exitCode;
            if (code != null) {
                listener.onExit(code);
            } else {
                exitListeners.add(listener);
            }
        });
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
        if (!ProcessDirect.TerminateProcess(h, 1)) {
            int error = com.sun.jna.Native.getLastError();
            if (error == 5) { // access denied: it is already exiting
                return false;
            }
            throw new MultiWaitException("TerminateProcess(pid " + pid + ")", h, error, null);
        }
        return true;
    }

    private synchronized void releaseProcessHandle() {
        if (process != 0) {
            ProcessDirect.CloseHandle(process);
            process = 0;
        }
    }

    /** Stops watching, closes the stdio ends (cancelling their I/O) and the process handle. Does not kill. */
    @Override
    public void close() {
        closed = true;
        exitWatch.cancel();
        stdin.close();
        stdout.close();
        if (stderr != null) {
            stderr.close();
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid + ", " + name + (exitCode != null ? ", exit " + exitCode : "") + "]";
    }
}
