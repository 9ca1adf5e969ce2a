package dev.multiwait;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a child's stdin, stdout or stderr goes, as {@link ProcessBuilder.Redirect} says for
 * {@code Process}: a pipe the waiter pumps (the default), a file, the NUL device, or this process's
 * own handle.
 */
public final class Redirect {
    /** What a redirect is. */
    public enum Kind {
        /** A pipe the waiter pumps: {@link ChildProcess#stdout()} and friends. */
        PIPE,
        /** This process's own stdin/stdout/stderr (NUL if it has none). */
        INHERIT,
        /** The NUL device: output is dropped, input is at end of file at once. */
        DISCARD,
        /** stdin reads a file. */
        READ,
        /** Output replaces a file's content (created if missing). */
        WRITE,
        /** Output goes to a file's end (created if missing). */
        APPEND
    }

    /** A pipe to the parent, pumped by the waiter (the default). */
    public static final Redirect PIPE = new Redirect(Kind.PIPE, null);
    /** The parent's own standard handle. */
    public static final Redirect INHERIT = new Redirect(Kind.INHERIT, null);
    /** NUL: input at end of file, output dropped. */
    public static final Redirect DISCARD = new Redirect(Kind.DISCARD, null);

    private final Kind kind;
    private final Path file;

    private Redirect(Kind kind, Path file) {
        this.kind = kind;
        this.file = file;
    }

    /**
     * stdin reads {@code file}, which must exist.
     *
     * @param file the file
     * @return the redirect
     */
    public static Redirect from(Path file) {
        return new Redirect(Kind.READ, Objects.requireNonNull(file, "file"));
    }

    /**
     * Output truncates {@code file} (creating it) and writes from its start.
     *
     * @param file the file
     * @return the redirect
     */
    public static Redirect to(Path file) {
        return new Redirect(Kind.WRITE, Objects.requireNonNull(file, "file"));
    }

    /**
     * Output is appended to {@code file} (creating it).
     *
     * @param file the file
     * @return the redirect
     */
    public static Redirect appendTo(Path file) {
        return new Redirect(Kind.APPEND, Objects.requireNonNull(file, "file"));
    }

    /**
     * What kind of redirect this is.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The file redirected to or from.
     *
     * @return the file, for READ, WRITE and APPEND; null otherwise
     */
    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return file == null ? kind.toString() : kind + " " + file;
    }
}
