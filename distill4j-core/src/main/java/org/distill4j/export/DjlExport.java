package org.distill4j.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.distill4j.model.Network;
import org.distill4j.model.SavedModel;
import org.distill4j.run.AtomicFiles;

/**
 * Writes a trained model as a DJL model directory that DJL's {@code Criteria} and DJL Serving load as it is:
 * <ul>
 *   <li>{@code serving.properties}: the PyTorch engine, {@link StudentBlockFactory} to rebuild the network, DJL's
 *       {@code ImageClassificationTranslatorFactory} (resize to the training size, grey or colour, to [0, 1],
 *       softmax, top 5), and the architecture and normalisation the factory reads;</li>
 *   <li>{@code synset.txt}: the class names, one per line;</li>
 *   <li>{@code parameters.bin} and {@code model.json}: distill4j's own saved model, so {@code distill4j predict}
 *       and {@link SavedModel#load} read the directory too;</li>
 *   <li>the distill4j-core jar (or, when running from compiled classes, {@code classes/}), which DJL's loader adds
 *       to its class path to find the block factory.</li>
 * </ul>
 */
public final class DjlExport {
    /** The file DJL's model loader reads its arguments from. */
    public static final String SERVING = "serving.properties";
    static final String SYNSET = "synset.txt";

    private DjlExport() {}

    /**
     * Writes the directory; an existing directory must be empty or an earlier export (it is then replaced file by
     * file, each through a temporary file).
     */
    public static void write(SavedModel.Loaded model, Path dir) throws IOException {
        SavedModel.Info info = model.info();
        Network network = model.network();
        if (Files.isDirectory(dir) && !Files.exists(dir.resolve(SERVING))) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dir + " exists and is not an exported model directory; choose a new or "
                            + "empty directory");
                }
            }
        }
        SavedModel.save(dir, network, info);
        AtomicFiles.writeString(dir.resolve(SYNSET), String.join("\n", info.labels()) + "\n");
        AtomicFiles.writeString(dir.resolve(SERVING), servingProperties(info));
        copyCode(dir);
    }

    static String servingProperties(SavedModel.Info info) {
        List<String> lines = new ArrayList<>();
        lines.add("# A distill4j student (" + info.model() + ", trained on " + info.dataset() + ").");
        lines.add("# Load with Criteria.builder().setTypes(Image.class, Classifications.class).optModelPath(DIR),");
        lines.add("# or serve with DJL Serving: djl-serving -m file://DIR");
        lines.add("engine=PyTorch");
        lines.add("blockFactory=" + StudentBlockFactory.class.getName());
        lines.add("translatorFactory=ai.djl.modality.cv.translator.ImageClassificationTranslatorFactory");
        lines.add("width=" + info.imageWidth());
        lines.add("height=" + info.height());
        lines.add("resize=true");
        lines.add("flag=" + (info.channels() == 1 ? "GRAYSCALE" : "COLOR"));
        lines.add("applySoftmax=true");
        lines.add("topK=5");
        lines.add("synsetFileName=" + SYNSET);
        lines.add("option.hasParameter=false");
        lines.add(StudentBlockFactory.ARCHITECTURE + "=" + info.model());
        lines.add(StudentBlockFactory.RESNET_WIDTH + "=" + info.width());
        lines.add(StudentBlockFactory.CLASSES + "=" + info.numClasses());
        lines.add(StudentBlockFactory.CHANNELS + "=" + info.channels());
        lines.add(StudentBlockFactory.MEAN + "=" + join(info.mean()));
        lines.add(StudentBlockFactory.STD + "=" + join(info.std()));
        return String.join("\n", lines) + "\n";
    }


    private static String join(float[] v) {
        return IntStream.range(0, v.length).mapToObj(i -> String.format(Locale.ROOT, "%s", v[i]))
                .collect(Collectors.joining(","));
    }

    /** Copies the code that holds the block factory: its jar, or its class tree into {@code classes/}. */
    private static void copyCode(Path dir) throws IOException {
        Path source;
        try {
            source = Path.of(StudentBlockFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate distill4j's classes to copy into " + dir, e);
        }
        if (Files.isRegularFile(source)) {
            Path target = dir.resolve("distill4j-core.jar");
            AtomicFiles.write(target, out -> Files.copy(source, out));
            return;
        }
        Path classes = dir.resolve("classes");
        try (Stream<Path> files = Files.walk(source)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                Path target = classes.resolve(source.relativize(p).toString());
                try {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
