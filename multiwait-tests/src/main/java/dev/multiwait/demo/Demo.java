package dev.multiwait.demo;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The main job. Default: hundreds of child processes alive at once, all their stdout and stderr
 * pumped through one MultiHandleWait thread, every byte checked. Other modes show the other
 * headline uses.
 *
 * <pre>
 * Demo [--children N] [--bytes B] [--stderr-bytes E] [--threads T]   children (default 300 x 256 KiB + 4 KiB, 2 launching threads)
 * Demo --accept [--listeners N] [--connections C] [--bytes B]   accept loops (default 300 x 2 x 16 KiB)
 * Demo --pipes [--streams N] [--bytes B] [--events E]     in-process pipes + events
 * </pre>
 * Exits 0 when every check passed, 2 (with the usage text) for an unknown option or a bad number.
 */
public final class Demo {
    static final String USAGE = "usage: Demo [--children N] [--bytes B] [--stderr-bytes E] [--threads T] [--child EXE]"
            + " | --accept [--listeners N] [--connections C] [--bytes B] | --pipes [--streams N] [--bytes B] [--events E]";
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "children", Set.of("children", "bytes", "stderr-bytes", "threads", "child"),
            "accept", Set.of("listeners", "connections", "bytes"),
            "pipes", Set.of("streams", "bytes", "events"));

    /** Children the default run keeps alive at once: two output streams each. */
    static final int DEFAULT_CHILDREN = 300;

    private Demo() {
    }

    public static void main(String[] args) {
        BooleanSupplier demo;
        try {
            demo = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Demo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.exit(demo.getAsBoolean() ? 0 : 1);
    }

    /** The demo {@code args} ask for. @throws IllegalArgumentException for an unknown option, a missing value or a bad number */
    static BooleanSupplier parse(String[] args) {
        Map<String, String> opt = new HashMap<>();
        String mode = "children";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--pipes") || a.equals("--accept")) {
                mode = a.substring(2);
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opt.put(a.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
        }
        for (String key : opt.keySet()) {
            if (!OPTIONS.get(mode).contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + (mode.equals("children") ? "" : " for --" + mode));
            }
        }
        return switch (mode) {
            case "accept" -> {
                AcceptDemo d = new AcceptDemo(num(opt, "listeners", 300), num(opt, "connections", 2),
                        num(opt, "bytes", 16 * 1024));
                yield d::run;
            }
            case "pipes" -> {
                int streams = num(opt, "streams", 500);
                int bytes = num(opt, "bytes", 256 * 1024);
                int events = num(opt, "events", 500);
                yield () -> new PipeDemo().pump(streams, bytes, events);
            }
            default -> {
                ChildPumpDemo d = new ChildPumpDemo(num(opt, "children", DEFAULT_CHILDREN), num(opt, "bytes", 256 * 1024),
                        num(opt, "stderr-bytes", 4096), num(opt, "threads", 2),
                        opt.getOrDefault("child", "target/mwchild.exe"));
                yield d::run;
            }
        };
    }

    private static int num(Map<String, String> opt, String key, int dflt) {
        String v = opt.get(key);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs a number: " + v);
        }
    }
}
