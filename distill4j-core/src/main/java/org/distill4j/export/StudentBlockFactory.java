package org.distill4j.export;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.distill4j.model.ModelSpec;
import org.distill4j.model.Models;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;

/**
 * Rebuilds a distill4j student for DJL's model loader ({@code Criteria}, DJL Serving) from a model directory that
 * {@link DjlExport} wrote: the architecture and normalisation come from {@code serving.properties}, the parameters
 * from {@code parameters.bin}. Reads no JSON, so it needs only DJL and this jar on the class path.
 */
public final class StudentBlockFactory implements BlockFactory {
    private static final long serialVersionUID = 1L;

    /** Keys of {@code serving.properties} this factory reads (besides the translator's width and height). */
    static final String ARCHITECTURE = "distill4j.architecture";
    static final String RESNET_WIDTH = "distill4j.resnetWidth";
    static final String CLASSES = "distill4j.numClasses";
    static final String CHANNELS = "distill4j.channels";
    static final String MEAN = "distill4j.mean";
    static final String STD = "distill4j.std";

    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        ModelSpec spec = new ModelSpec(string(arguments, ARCHITECTURE), integer(arguments, RESNET_WIDTH),
                integer(arguments, CLASSES), integer(arguments, CHANNELS));
        Network network = Models.createInitialized(spec, model.getNDManager(), integer(arguments, "height"),
                integer(arguments, "width"));
        Path params = modelPath.resolve(SavedModel.PARAMETERS);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(params)))) {
            network.loadParameters(model.getNDManager(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(params + ": cannot read the student's parameters", e);
        } catch (MalformedModelException e) {
            throw new IllegalArgumentException(params + ": not the parameters of a " + spec.label(), e);
        }
        return new StudentBlock(network, floats(arguments, MEAN), floats(arguments, STD));
    }

    private static String string(Map<String, ?> arguments, String key) {
        Object v = arguments.get(key);
        if (v == null) {
            throw new IllegalArgumentException("serving.properties lacks " + key + "; export the model again");
        }
        return v.toString().trim();
    }

    private static int integer(Map<String, ?> arguments, String key) {
        return (int) Double.parseDouble(string(arguments, key));
    }

    private static float[] floats(Map<String, ?> arguments, String key) {
        String[] parts = string(arguments, key).split("\\s*,\\s*");
        float[] v = new float[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }
}
