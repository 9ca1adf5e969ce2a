package dev.multiwait.internal;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Command lines for batch files ({@code .bat}/{@code .cmd}). {@code CreateProcessW} runs those
 * through {@code cmd.exe /c}, which ignores the C runtime's {@code \"} escape and expands
 * {@code %VAR%}, so argv quoting lets an argument inject commands ("BatBadBut"). Instead the library
 * runs {@code cmd.exe /d /e:ON /v:OFF /s /c ""script" args"} itself: every argument that holds anything
 * but letters, digits and {@code -_.:/\+} is put in double quotes, inside which cmd.exe takes
 * {@code & | < > ^ ( ) , ; = !} and spaces literally (delayed expansion is off), and the script's
 * {@code %~1} is the argument exactly. What no quoting can protect is refused: {@code "} (cmd.exe
 * toggles quoting on it; doubling it reaches the script altered), {@code %} (cmd.exe expands
 * {@code %VAR%} inside quotes, and Wine even through the {@code %%cd:~,%} escape) and control
 * characters (a line break ends the command).
 */
public final class BatchCommand {
    private BatchCommand() {
    }

    /**
     * Whether Windows runs {@code program} as a batch file: its extension, after the trailing dots
     * and spaces Windows strips from file names, is .bat or .cmd (any case).
     */
    public static boolean isBatch(String program) {
        String name = stripTrailingDotsAndSpaces(program).toLowerCase(Locale.ROOT);
        return name.endsWith(".bat") || name.endsWith(".cmd");
    }

    /** {@code name} without the trailing dots and spaces Windows ignores in file names. */
    static String stripTrailingDotsAndSpaces(String name) {
        int end = name.length();
        while (end > 0 && (name.charAt(end - 1) == '.' || name.charAt(end - 1) == ' ')) {
            end--;
        }
        return name.substring(0, end);
    }

    /**
     * The batch file {@code CreateProcessW} would run for {@code program}, as a full path (trailing
     * dots and spaces dropped), or null if there is none. A name with a directory part is taken
     * relative to this process's directory; a bare name is looked for where CreateProcessW looks:
     * the JVM's directory, this process's directory, the system and Windows directories, then PATH.
     */
    public static String resolve(String program, List<String> searchDirectories) {
        String name = stripTrailingDotsAndSpaces(program);
        boolean bare = name.indexOf('\\') < 0 && name.indexOf('/') < 0 && name.indexOf(':') < 0;
        List<String> dirs = bare ? searchDirectories : List.of(System.getProperty("user.dir"));
        for (String dir : dirs) {
            try {
                Path p = Path.of(dir).resolve(name).toAbsolutePath().normalize();
                if (Files.isRegularFile(p)) {
                    return p.toString();
                }
            } catch (InvalidPathException e) {
                // a malformed PATH entry: CreateProcessW skips it too
            }
        }
        return null;
    }

    /**
     * Where CreateProcessW looks for a bare program name, in its order: the JVM's directory, this
     * process's directory, the system directory, the Windows directory (its parent), then PATH.
     */
    public static List<String> searchDirectories(String systemDirectory) {
        List<String> dirs = new ArrayList<>();
        dirs.add(Path.of(System.getProperty("java.home"), "bin").toString());
        dirs.add(System.getProperty("user.dir"));
        dirs.add(systemDirectory);
        Path windows = Path.of(systemDirectory).getParent();
        if (windows != null) {
            dirs.add(windows.toString());
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(";")) {
                String d = dir.replace("\"", "").trim();
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        return dirs;
    }

    /**
     * Checks that every argument can reach a batch file intact.
     *
     * @throws IllegalArgumentException naming the first argument that cannot, and why
     */
    public static void checkArguments(List<String> command) {
        for (int i = 1; i < command.size(); i++) {
            String why = refusal(command.get(i));
            if (why != null) {
                throw new IllegalArgumentException("argument " + i + " of batch file " + command.get(0)
                        + " cannot be passed safely: it contains " + why + " (" + printable(command.get(i)) + ")");
            }
        }
    }

    /** Null if {@code arg} can be passed to a batch file; otherwise what it holds that cannot. */
    static String refusal(String arg) {
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '"') {
                return "a double quote";
            }
            if (c == '%') {
                return "'%' (cmd.exe expands %VAR% even inside quotes)";
            }
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return "control character 0x" + Integer.toHexString(c) + " (a line break would end the command)";
            }
        }
        return null;
    }

    /**
     * {@code cmd.exe /d /e:ON /v:OFF /s /c ""script" arg..."}: /d skips AutoRun commands, /v:OFF keeps
     * {@code !} literal, /s strips exactly the outer quotes.
     *
     * @param script the batch file's full path, resolved by the caller
     */
    public static String commandLine(String script, List<String> args) {
        String why = refusal(script);
        if (why != null || script.endsWith("\\")) {
            throw new IllegalArgumentException("batch file path cannot be passed to cmd.exe safely: " + printable(script));
        }
        StringBuilder sb = new StringBuilder("cmd.exe /d /e:ON /v:OFF /s /c \"\"").append(script).append('"');
        for (String arg : args) {
            if (refusal(arg) != null) {
                throw new IllegalArgumentException("argument cannot be passed to a batch file safely: " + printable(arg));
            }
            sb.append(' ');
            if (needsQuotes(arg)) {
                sb.append('"').append(arg).append('"');
            } else {
                sb.append(arg);
            }
        }
        return sb.append('"').toString();
    }

    private static boolean needsQuotes(String arg) {
        return arg.isEmpty() || !arg.chars().allMatch(c -> c < 0x80 && Character.isLetterOrDigit(c)
                || "-_.:/\\+".indexOf(c) >= 0);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return sb.toString();
    }
}
