package org.distill4j.data;

/**
 * Thrown for a missing, truncated, corrupt or wrong-format data file, or a failed download.
 *
 * <p>Unchecked because a bad data file is not something a caller can recover from in code: the message is for a
 * person, so it always names the file, says what is wrong with it, and says what to do about it.
 */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
