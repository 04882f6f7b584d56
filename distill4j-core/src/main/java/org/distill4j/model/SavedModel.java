package org.distill4j.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.distill4j.run.AtomicFiles;
import org.distill4j.run.Json;

/**
 * A trained model on disk ({@code model/} of a run): {@code parameters.bin} (DJL's parameter format) and
 * {@code model.json}, which says how to rebuild the network and how to feed it (input size, per-channel
 * normalisation, class names). Loadable by {@code distill4j eval} and by Java code.
 */
public final class SavedModel {
    public static final String PARAMETERS = "parameters.bin";
    public static final String INFO = "model.json";

    /**
     * @param model       architecture name, e.g. resnet50-cbam
     * @param width       base width of the seed's ResNets (0 for the other families, whose width is in the name)
     * @param numClasses  classifier outputs
     * @param channels    input channels
     * @param height      input height
     * @param imageWidth  input width
     * @param mean        per-channel mean used to normalise inputs (x/255 - mean) / std
     * @param std         per-channel std
     * @param classNames  label names, index = class
     * @param dataset     the dataset it was trained on
     */
    public record Info(String model, int width, int numClasses, int channels, int height, int imageWidth,
            float[] mean, float[] std, List<String> classNames, String dataset) {
        public ModelSpec spec() {
            return new ModelSpec(model, width, numClasses, channels);
        }

        /** The class names, or "class N" for each class when the model was saved without them. */
        public List<String> labels() {
            if (classNames != null && classNames.size() == numClasses) {
                return classNames;
            }
            return java.util.stream.IntStream.range(0, numClasses).mapToObj(c -> "class " + c).toList();
        }
    }

    /** A loaded model with its description. */
    public record Loaded(Network network, Info info) {}

    private SavedModel() {}

    public static void save(Path dir, Network network, Info info) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(PARAMETERS), raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20));
            network.saveParameters(out);
            out.flush();
        });
        Json.writeJson(dir.resolve(INFO), info);
    }

    public static Loaded load(Path dir, NDManager manager) throws IOException {
        Info info = readInfo(dir);
        Path params = dir.resolve(PARAMETERS);
        Network network = Models.createInitialized(info.spec(), manager, info.height(), info.imageWidth());
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(params), 1 << 20))) {
            network.loadParameters(manager, in);
        } catch (java.io.EOFException e) {
            throw new IOException(params + ": truncated (it ends before the model's parameters do); restore the file "
                    + "or train the model again", e);
        } catch (MalformedModelException | RuntimeException e) {
            throw new IOException(params + ": unreadable parameters (" + e.getMessage() + "); restore the file or "
                    + "train the model again", e);
        }
        return new Loaded(network, info);
    }

    /** The description of the model saved in {@code dir}, without loading its parameters. */
    public static Info readInfo(Path dir) throws IOException {
        Path infoFile = dir.resolve(INFO);
        if (!Files.isRegularFile(infoFile) || !Files.isRegularFile(dir.resolve(PARAMETERS))) {
            throw new IOException(dir + ": no trained model here (expected " + INFO + " and " + PARAMETERS
                    + "); has the run finished?");
        }
        return Json.readJson(infoFile, Info.class);
    }

    /** {@code dir} itself if it holds a saved model, else its {@code model/} subdirectory (a run directory's). */
    public static Path modelDir(Path runOrModelDir) {
        return Files.isRegularFile(runOrModelDir.resolve(INFO)) ? runOrModelDir : runOrModelDir.resolve("model");
    }

    /** SHA-256 (hex) of the model's parameters.bin: what names a teacher in banks and study records. */
    public static String sha256(Path dir) throws IOException {
        return sha256File(dir.resolve(PARAMETERS));
    }

    /** SHA-256 (hex) of a file's bytes, as {@code sha256sum} prints it. */
    public static String sha256File(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    public static long sizeBytes(Path dir) throws IOException {
        return Files.size(dir.resolve(PARAMETERS));
    }
}
