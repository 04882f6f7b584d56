package org.distill4j.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How far an unfinished epoch has got: the batches done and the running sums its history row is computed from.
 * A checkpoint written inside an epoch stores this, so a resumed epoch reports exactly the figures an
 * uninterrupted one would (the time columns aside, which measure the machine).
 *
 * @param batchesDone   batches of the epoch already trained
 * @param termSums      sum over those batches of each named loss term
 * @param lossSum       sum of the total loss
 * @param correct       training images classified right
 * @param seen          training images seen
 * @param seconds       wall time spent on them
 * @param loaderWaitSec of which waiting for the batch loader
 */
public record EpochProgress(int batchesDone, Map<String, Double> termSums, double lossSum, long correct, long seen,
        double seconds, double loaderWaitSec) {
    /** The start of an epoch. */
    public static final EpochProgress START = new EpochProgress(0, Map.of(), 0, 0, 0, 0, 0);

    public EpochProgress {
        termSums = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(termSums));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(batchesDone);
        out.writeDouble(lossSum);
        out.writeLong(correct);
        out.writeLong(seen);
        out.writeDouble(seconds);
        out.writeDouble(loaderWaitSec);
        out.writeInt(termSums.size());
        for (Map.Entry<String, Double> e : termSums.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
    }

    static EpochProgress read(DataInputStream in) throws IOException {
        int batches = in.readInt();
        double lossSum = in.readDouble();
        long correct = in.readLong();
        long seen = in.readLong();
        double seconds = in.readDouble();
        double wait = in.readDouble();
        int terms = in.readInt();
        if (batches < 0 || seen < 0 || correct < 0 || correct > seen || terms < 0 || terms > 1024) {
            throw new IOException("epoch progress out of range (batches " + batches + ", seen " + seen + ", terms "
                    + terms + ")");
        }
        Map<String, Double> sums = new LinkedHashMap<>();
        for (int i = 0; i < terms; i++) {
            sums.put(in.readUTF(), in.readDouble());
        }
        return new EpochProgress(batches, sums, lossSum, correct, seen, seconds, wait);
    }
}
