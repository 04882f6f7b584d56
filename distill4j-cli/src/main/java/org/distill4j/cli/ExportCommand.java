package org.distill4j.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.distill4j.export.DjlExport;
import org.distill4j.export.OnnxExport;
import org.distill4j.model.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill4j export RUN --format onnx|djl --out PATH}: a trained model for other runtimes. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a trained model for deployment: an ONNX file (BatchNorm folded, opset "
                + OnnxExport.OPSET + ", input 'images' (batch, C, H, W), output 'logits', class names and "
                + "normalisation in the metadata), or a DJL model directory that DJL's Criteria and DJL Serving "
                + "load as it is.")
public final class ExportCommand implements Callable<Integer> {
    enum Format { onnx, djl }

    @Parameters(paramLabel = "RUN", description = "A run directory (of train, distill or a study's "
            + "students/VARIANT/seed-N) or its model/ directory.")
    Path run;
    @Option(names = "--format", defaultValue = "onnx", description = "onnx or djl (default: ${DEFAULT-VALUE}).")
    Format format;
    @Option(names = "--out", required = true, description = "The .onnx file, or the directory for --format djl.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path modelDir = SavedModel.modelDir(run);
        if (!Files.isDirectory(run)) {
            throw new IllegalArgumentException(run + ": no such run or model directory");
        }
        if (format == Format.onnx && !out.toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new IllegalArgumentException("--out " + out + ": an ONNX file's name ends in .onnx");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            SavedModel.Loaded model = SavedModel.load(modelDir, manager);
            try {
                if (format == Format.onnx) {
                    OnnxExport.write(model, manager, out);
                } else {
                    DjlExport.write(model, out);
                }
            } catch (IOException e) {
                throw new IOException("cannot write " + out + " (" + describe(e) + "); choose a writable --out", e);
            }
            String what = format == Format.onnx ? "ONNX file" : "DJL model directory";
            System.out.printf(Locale.ROOT, "%s of %s (%s, %d classes, input %dx%dx%d) written to %s%n", what,
                    run, model.info().model(), model.info().numClasses(), model.info().channels(),
                    model.info().height(), model.info().imageWidth(), out);
        }
        return 0;
    }

    /** An I/O error's message says only the path for a missing or forbidden one: name the kind too. */
    static String describe(IOException e) {
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }
}
