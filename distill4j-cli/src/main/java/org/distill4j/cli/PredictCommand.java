package org.distill4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.distill4j.eval.Predictor;
import org.distill4j.run.Json;
import org.distill4j.train.Devices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill4j predict MODEL IMAGE...}: the top-5 classes of each image. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify PNG or JPEG images with a trained model: prints the 5 most probable classes and "
                + "their probabilities per image. Images of any size are resized and normalised as the model's "
                + "training data was.")
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A run directory (of train, distill or a study's "
            + "students/VARIANT/seed-N), its model/ directory, or what `distill4j export` wrote: an .onnx file "
            + "(run by ONNX Runtime) or a DJL model directory (run by DJL with the translator it names).")
    Path model;
    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "PNG or JPEG files.")
    List<Path> images;
    @Option(names = "--json", description = "Print a JSON list: {\"image\": PATH, \"top5\": [{\"class\": NAME, "
            + "\"probability\": P}, ...]} per image.")
    boolean json;
    @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto.")
    String device;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(model)) {
            throw new IllegalArgumentException(model + ": no such run directory, model directory or ONNX file");
        }
        try (NDManager manager = NDManager.newBaseManager(Devices.resolve(device));
                Predictor predictor = Predictor.open(model, manager)) {
            List<Predictor.Prediction> predictions = predictor.predict(images, 5);
            if (json) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (Predictor.Prediction p : predictions) {
                    List<Map<String, Object>> top = new ArrayList<>();
                    for (Predictor.Ranked r : p.top()) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("class", r.className());
                        entry.put("probability", r.probability());
                        top.add(entry);
                    }
                    Map<String, Object> one = new LinkedHashMap<>();
                    one.put("image", p.image().toString());
                    one.put("top5", top);
                    out.add(one);
                }
                System.out.println(Json.toJson(out));
            } else {
                for (Predictor.Prediction p : predictions) {
                    System.out.println(p.image());
                    for (Predictor.Ranked r : p.top()) {
                        System.out.printf(Locale.ROOT, "  %6.2f%%  %s%n", 100 * r.probability(), r.className());
                    }
                }
            }
        }
        return 0;
    }
}
