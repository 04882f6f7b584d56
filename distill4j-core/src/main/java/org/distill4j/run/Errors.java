package org.distill4j.run;

/** Turning an engine's exception chain into the short phrase a one-line error message can carry. */
public final class Errors {
    private Errors() {}

    /** The first line of the innermost cause's message (or its class name when it has none). */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
