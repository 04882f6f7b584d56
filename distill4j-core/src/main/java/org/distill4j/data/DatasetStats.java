package org.distill4j.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The expensive facts about an {@link ImageDataset}, computed together in one pass and cached by it: per-channel
 * mean and std (for normalisation) and the SHA-256 (for provenance).
 */
record DatasetStats(float[] mean, float[] std, String sha256) {

    /**
     * @param images (N, C, H*W) uint8
     * @param plane  H*W, pixels per channel of one image
     */
    static DatasetStats compute(byte[] images, int[] labels, int channels, int plane) {
        // Integer sums are exact: the largest sum of squares, 255^2 * 50000 * 1024, is far below Long.MAX_VALUE.
        long[] sum = new long[channels];
        long[] sumSq = new long[channels];
        int imageBytes = channels * plane;
        for (int base = 0; base < images.length; base += imageBytes) {
            for (int c = 0; c < channels; c++) {
                long s = 0;
                long sq = 0;
                int start = base + c * plane;
                for (int p = start; p < start + plane; p++) {
                    int v = images[p] & 0xFF;
                    s += v;
                    sq += v * v;
                }
                sum[c] += s;
                sumSq[c] += sq;
            }
        }
        double count = Math.max(1.0, (double) labels.length * plane);
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count;
            double var = Math.max(0.0, sumSq[c] / count - m * m);
            mean[c] = (float) (m / 255.0);
            std[c] = (float) (Math.sqrt(var) / 255.0);
        }
        return new DatasetStats(mean, std, sha256(images, labels));
    }

    private static String sha256(byte[] images, int[] labels) {
        MessageDigest digest = Checksums.sha256();
        digest.update(images);
        ByteBuffer buffer = ByteBuffer.allocate(labels.length * Integer.BYTES);
        buffer.asIntBuffer().put(labels);
        digest.update(buffer.array());
        return HexFormat.of().formatHex(digest.digest());
    }
}
