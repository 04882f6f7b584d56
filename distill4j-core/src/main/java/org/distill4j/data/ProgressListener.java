package org.distill4j.data;

/**
 * Told how far a long transfer has got, so the CLI can draw a progress bar and a library caller can stay silent.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param done  bytes (or items) finished so far
     * @param total the expected total, or -1 when the source does not say
     */
    void update(long done, long total);

    /** A listener that ignores every update. */
    static ProgressListener none() {
        return (done, total) -> { };
    }
}
