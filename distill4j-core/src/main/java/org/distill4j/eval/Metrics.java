package org.distill4j.eval;

/**
 * metrics.json: the final figures of a run. The first eleven keys are the contract other tools read
 * (DESIGN.md); the rest add context.
 *
 * @param model                  architecture name
 * @param params                 trainable parameters
 * @param sizeBytes              bytes of the serialized parameters (model/parameters.bin)
 * @param top1                   test top-1 accuracy after the final epoch, in [0, 1]
 * @param top1Best               best test top-1 over epochs, in [0, 1] (selected on the test set: optimistic)
 * @param latencyMs              batch-1 latency, median over timed runs after warm-up
 * @param throughputImagesPerSec inference throughput at batch 256
 * @param epochs                 epochs trained
 * @param trainSeconds           training wall time (summed over resumed sessions)
 * @param dataset                dataset name
 * @param method                 how it was trained (student-only, kd, ...)
 * @param width                  base width
 * @param bestEpoch              epoch of top1Best
 * @param trainImages            training images used
 * @param testImages             test images evaluated
 * @param latencyRuns            timed batch-1 runs behind latencyMs
 * @param device                 where it ran
 * @param methodParams           learnable scalars the method trained beside the student (regressors, embedding and
 *                               attention heads; not exported, not in params); null in runs written before methods
 *                               could own parts
 * @param teacherSource          where a distilled run read the teacher: "online", "bank FILE", or "online: why";
 *                               null for runs without a teacher
 * @param onnxLatencyMs          batch-1 latency of the model exported to ONNX, in ONNX Runtime on the CPU (same
 *                               protocol as latencyMs); null when not measured (older runs, or ONNX Runtime failed)
 * @param onnxImagesPerSec       ONNX Runtime throughput at batch 256; null when not measured
 */
public record Metrics(
        String model,
        long params,
        long sizeBytes,
        double top1,
        double top1Best,
        double latencyMs,
        double throughputImagesPerSec,
        int epochs,
        double trainSeconds,
        String dataset,
        String method,
        int width,
        int bestEpoch,
        int trainImages,
        int testImages,
        int latencyRuns,
        String device,
        Long methodParams,
        String teacherSource,
        Double onnxLatencyMs,
        Double onnxImagesPerSec) {

    /** A run without a method's parts or a teacher (a teacher's own training, an evaluation). */
    public Metrics(String model, long params, long sizeBytes, double top1, double top1Best, double latencyMs,
            double throughputImagesPerSec, int epochs, double trainSeconds, String dataset, String method, int width,
            int bestEpoch, int trainImages, int testImages, int latencyRuns, String device) {
        this(model, params, sizeBytes, top1, top1Best, latencyMs, throughputImagesPerSec, epochs, trainSeconds, dataset,
                method, width, bestEpoch, trainImages, testImages, latencyRuns, device, null, null, null, null);
    }

    /** These metrics with ONNX Runtime's latency and throughput (both null when {@code onnx} is null). */
    public Metrics withOnnx(Speed.Result onnx) {
        return new Metrics(model, params, sizeBytes, top1, top1Best, latencyMs, throughputImagesPerSec, epochs,
                trainSeconds, dataset, method, width, bestEpoch, trainImages, testImages, latencyRuns, device,
                methodParams, teacherSource, onnx == null ? null : onnx.medianMs(),
                onnx == null ? null : onnx.imagesPerSec());
    }
}
