package dev.multiwait.internal;

import java.util.List;

/**
 * Builds a Windows command line that CommandLineToArgvW and the C runtime split back into exactly
 * the given arguments (the rules libuv and the JDK follow): quote an argument holding a space, tab
 * or quote, or an empty one; inside quotes, a run of backslashes is doubled before a quote and at
 * the end, and each quote is escaped.
 */
public final class CommandLine {
    private CommandLine() {
    }

    public static String join(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        StringBuilder sb = new StringBuilder();
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("argument contains NUL: " + arg.replace('\0', '?'));
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            quote(arg, sb);
        }
        return sb.toString();
    }

    static void quote(String arg, StringBuilder sb) {
        boolean needsQuotes = arg.isEmpty() || arg.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '"'
                || c == '\n' || c == '\u000b');
        if (!needsQuotes) {
            sb.append(arg);
            return;
        }
        sb.append('"');
        int backslashes = 0;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\\') {
                backslashes++;
                continue;
            }
            if (c == '"') {
                sb.append("\\".repeat(backslashes * 2 + 1));
            } else {
                sb.append("\\".repeat(backslashes));
            }
            backslashes = 0;
            sb.append(c);
        }
        sb.append("\\".repeat(backslashes * 2)).append('"');
    }
}
