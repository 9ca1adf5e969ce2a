package dev.multiwait.demo;

import java.util.HashMap;
import java.util.Map;

/**
 * The main job. Default: start hundreds of child processes and pump all their stdout and stderr
 * through one MultiHandleWait thread, checking every byte. Other modes show the other headline uses.
 *
 * <pre>
 * Demo [--children N] [--bytes B] [--stderr-bytes E]     children (default 300 x 256 KiB + 4 KiB)
 * Demo --accept [--listeners N] [--connections C] [--bytes B]   accept loops (default 300 x 2 x 16 KiB)
 * Demo --pipes [--streams N] [--bytes B] [--events E]     in-process pipes + events
 * </pre>
 * Exits 0 when every check passed.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = new HashMap<>();
        String mode = "children";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--pipes") || a.equals("--accept")) {
                mode = a.substring(2);
            } else if (a.startsWith("--") && i + 1 < args.length) {
                opt.put(a.substring(2), args[++i]);
            } else {
                usage();
            }
        }
        boolean ok = switch (mode) {
            case "accept" -> new AcceptDemo(num(opt, "listeners", 300), num(opt, "connections", 2),
                    num(opt, "bytes", 16 * 1024)).run();
            case "pipes" -> new PipeDemo().pump(num(opt, "streams", 500), num(opt, "bytes", 256 * 1024),
                    num(opt, "events", 500));
            default -> new ChildPumpDemo(num(opt, "children", 300), num(opt, "bytes", 256 * 1024),
                    num(opt, "stderr-bytes", 4096), opt.getOrDefault("child", "target/mwchild.exe")).run();
        };
        System.exit(ok ? 0 : 1);
    }

    private static int num(Map<String, String> opt, String key, int dflt) {
        String v = opt.remove(key);
        return v == null ? dflt : Integer.parseInt(v);
    }

    private static void usage() {
        System.err.println("usage: Demo [--children N] [--bytes B] [--stderr-bytes E] | --accept [--listeners N] [--connections C] [--bytes B] | --pipes [--streams N] [--bytes B] [--events E]");
        System.exit(2);
    }
}
