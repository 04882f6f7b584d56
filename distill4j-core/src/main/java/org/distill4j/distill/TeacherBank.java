package org.distill4j.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import org.distill4j.config.TeacherBankConfig;
import org.distill4j.data.Augmentation;
import org.distill4j.data.BatchLoader;
import org.distill4j.data.HostBatch;
import org.distill4j.data.ImageDataset;
import org.distill4j.data.ViewSchedule;
import org.distill4j.run.Json;
import org.distill4j.run.RunLock;
import org.distill4j.train.TrainListener;

/**
 * The teacher's outputs for K augmented views of every training image, computed once and read back during
 * student training, so the teacher never runs in a student step (FKD, Shen &amp; Xing, ECCV 2022; "consistent"
 * teaching, Beyer et al., CVPR 2022).
 *
 * <p>On disk, in a directory shared by every run that may reuse it: {@code bank-ID.bin}, one fixed-size record per
 * (image, view) at index image * K + view, memory-mapped; and {@code bank-ID.json}, the {@link Key} and the
 * {@link Layout}. ID is a hash of the key, so a bank whose teacher, data, views or stored signals differ is a
 * different file and is built afresh. A record holds one segment per {@link Signal} (logits, attention maps, pooled
 * embeddings, feature maps, causal masks): a CRC-32 of the segment's rest, a float32 scale, then the values as
 * float16 or float32; in float16, signals that can exceed its range (maps, features) are stored divided by their
 * largest magnitude, the scale. A step reads and checks only the segments it needs. While building, the file is {@code bank-ID.bin.partial}
 * beside {@code bank-ID.progress.json}; an interrupted build resumes from the last batch recorded there.
 */
public final class TeacherBank implements TeacherSource {
    static final int FORMAT = 2;
    /** Images per teacher pass while building. */
    public static final int BUILD_BATCH = 128;
    private static final long CHUNK_BYTES = 1L << 30; // one mapping per GiB: a MappedByteBuffer holds < 2 GiB
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;

    /**
     * Everything the stored numbers depend on.
     *
     * @param signals the stored signals' keys ({@link Signal#key()}), sorted
     */
    public record Key(int format, String teacherSha256, String dataSha256, int images, int pad, boolean flip,
            int views, long viewSeed, List<String> signals, String precision) {

        /**
         * The key for storing {@code signals} of the teacher with SHA-256 {@code teacherSha256} on {@code train}.
         * Without augmentation every view is the same image, so one view is stored whatever the config says.
         */
        public static Key of(String teacherSha256, ImageDataset train, Augmentation augmentation,
                TeacherBankConfig config, Set<Signal> signals) {
            boolean identity = augmentation.pad() == 0 && !augmentation.flip();
            List<String> keys = new TreeSet<>(signals).stream().map(Signal::key).toList();
            return new Key(FORMAT, teacherSha256, train.sha256(), train.size(), augmentation.pad(),
                    augmentation.flip(), identity ? 1 : config.views(), config.seed(), keys, config.precision());
        }

        /** 16 hex digits of the SHA-256 of the key's JSON. */
        public String id() {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.toJson(this).getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d, 0, 8);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks SHA-256", e);
            }
        }

        public long records() {
            return (long) images * views;
        }

        int bytesPerValue() {
            return TeacherBankConfig.FP16.equals(precision) ? 2 : 4;
        }

        ViewSchedule schedule() {
            return new ViewSchedule(viewSeed, views);
        }

        List<Signal> parsedSignals() {
            return signals.stream().map(Signal::parse).toList();
        }
    }

    /**
     * Where each signal lives in a record: one segment per signal, in the key's order, each a CRC-32 of the rest of
     * the segment, a float32 scale and the values.
     *
     * @param shapes        each signal's shape per image (batch left out), in the key's order
     * @param bytesPerValue 2 (fp16) or 4 (fp32)
     */
    public record Layout(List<List<Long>> shapes, int bytesPerValue) {

        long values(int signal) {
            long n = 1;
            for (long d : shapes.get(signal)) {
                n *= d;
            }
            return n;
        }

        /** CRC and scale, then the values, padded to 4 bytes. */
        int segmentBytes(int signal) {
            long bytes = 8 + values(signal) * bytesPerValue;
            return (int) ((bytes + 3) & ~3L);
        }

        int offset(int signal) {
            int o = 0;
            for (int i = 0; i < signal; i++) {
                o += segmentBytes(i);
            }
            return o;
        }

        /** Bytes of one record. */
        public int recordBytes() {
            return offset(shapes.size());
        }

        /** The layout of {@code signals} (in key order) for a teacher with these shapes. */
        static Layout of(List<Signal> signals, Map<Signal, long[]> shapes, int bytesPerValue) {
            List<List<Long>> out = new ArrayList<>();
            for (Signal s : signals) {
                out.add(java.util.Arrays.stream(shapes.get(s)).boxed().toList());
            }
            return new Layout(out, bytesPerValue);
        }
    }

    /** The bank's JSON side file. */
    record Meta(Key key, Layout layout, double buildSeconds) {}

    /** State of an interrupted build: the first {@code doneBatches} batches are in the partial file. */
    record Progress(Key key, Layout layout, int batchSize, long doneBatches, double seconds) {}

    private final Path file;
    private final Key key;
    private final Layout layout;
    private final MappedByteBuffer[] chunks;
    private final long recordsPerChunk;
    private final double buildSeconds;

    private TeacherBank(Path file, Key key, Layout layout, MappedByteBuffer[] chunks, double buildSeconds) {
        this.file = file;
        this.key = key;
        this.layout = layout;
        this.chunks = chunks;
        this.recordsPerChunk = recordsPerChunk(layout);
        this.buildSeconds = buildSeconds;
    }

    public Key key() {
        return key;
    }

    public Layout layout() {
        return layout;
    }

    public Path file() {
        return file;
    }

    /** Bytes on disk. */
    public long sizeBytes() {
        return key.records() * layout.recordBytes();
    }

    /** Seconds the build took (summed over resumed parts); 0 if unknown. */
    public double buildSeconds() {
        return buildSeconds;
    }

    /** The schedule student batches must follow to find their views here. */
    public ViewSchedule schedule() {
        return key.schedule();
    }

    /** The bank file for {@code key} in {@code dir}, whether or not it exists. */
    public static Path fileFor(Path dir, Key key) {
        return dir.resolve("bank-" + key.id() + ".bin");
    }

    /**
     * Opens the finished bank for {@code key} in {@code dir}, or builds it (resuming a partial build), showing
     * progress through {@code listener}.
     *
     * @param teacher  the teacher whose parameters hash to {@code key.teacherSha256()}, normalised for mean/std
     * @param mean     the student's normalisation, which the loader applies before the teacher re-normalises
     * @param manager  where the build's arrays live (freed batch by batch)
     */
    public static TeacherBank openOrBuild(Path dir, Key key, Teacher teacher, ImageDataset train,
            Augmentation augmentation, float[] mean, float[] std, NDManager manager,
            TrainListener listener) throws IOException {
        // one builder at a time: a second study sharing the bank waits, then reuses what the first built
        try (RunLock lock = RunLock.acquireWaiting(dir, "teacher bank build", listener::onMessage)) {
            lock.reportStale(listener::onMessage);
            return openOrBuildLocked(dir, key, teacher, train, augmentation, mean, std, manager, listener);
        }
    }

    private static TeacherBank openOrBuildLocked(Path dir, Key key, Teacher teacher, ImageDataset train,
            Augmentation augmentation, float[] mean, float[] std, NDManager manager,
            TrainListener listener) throws IOException {
        Path bin = fileFor(dir, key);
        Path metaFile = sidecar(bin, ".json");
        if (Files.isRegularFile(bin) && Files.isRegularFile(metaFile)) {
            Meta meta = readMeta(metaFile);
            if (meta != null && meta.key().equals(key) && Files.size(bin) == key.records() * meta.layout().recordBytes()) {
                listener.onMessage("teacher bank: reusing " + bin + " (" + describe(key, meta.layout()) + ")");
                return open(bin, key, meta.layout(), meta.buildSeconds(), FileChannel.MapMode.READ_ONLY);
            }
            listener.onMessage("teacher bank: " + bin + " does not match its key or size; building it again");
            Files.delete(bin);
        }
        Files.createDirectories(dir);
        return build(dir, key, teacher, train, augmentation, mean, std, manager, listener);
    }

    private static TeacherBank build(Path dir, Key key, Teacher teacher, ImageDataset train, Augmentation augmentation,
            float[] mean, float[] std, NDManager manager, TrainListener listener)
            throws IOException {
        Path bin = fileFor(dir, key);
        Path partial = sidecar(bin, ".bin.partial");
        Path progressFile = sidecar(bin, ".progress.json");
        Progress progress = null;
        if (Files.isRegularFile(partial) && Files.isRegularFile(progressFile)) {
            progress = readProgress(progressFile);
            if (progress != null && !(progress.key().equals(key) && progress.batchSize() == BUILD_BATCH
                    && Files.size(partial) == key.records() * progress.layout().recordBytes())) {
                progress = null;
            }
        }
        int batchesPerView = (train.size() + BUILD_BATCH - 1) / BUILD_BATCH;
        long totalBatches = (long) batchesPerView * key.views();
        long done = progress == null ? 0 : progress.doneBatches();
        double seconds = progress == null ? 0 : progress.seconds();
        Layout layout = progress == null ? null : progress.layout();
        if (progress != null) {
            listener.onMessage("teacher bank: resuming the build of " + bin + " after " + done + " of " + totalBatches
                    + " batches");
        } else {
            listener.onMessage("teacher bank: building " + bin + " (" + describe(key, null) + ")");
        }
        TeacherBank writer = layout == null ? null : open(partial, key, layout, 0, FileChannel.MapMode.READ_WRITE);
        long start = System.nanoTime();
        long lastSave = start;
        long viewsDone = 0; // built by this call, for the rate
        long total = key.records();
        long recordsDone = (done / batchesPerView) * train.size() + (done % batchesPerView) * BUILD_BATCH;
        ViewSchedule schedule = key.schedule();
        Set<Signal> signals = new TreeSet<>(key.parsedSignals());
        for (int view = (int) (done / batchesPerView); view < key.views(); view++) {
            int skip = (int) (done - (long) view * batchesPerView);
            try (BatchLoader loader = BatchLoader.builder().setDataset(train).setBatchSize(BUILD_BATCH)
                    .optAugmentation(augmentation).optShuffle(false).optViews(schedule).optEpoch(view + 1)
                    .optSkipBatches(skip).optNormalization(mean, std).build()) {
                while (loader.hasNext()) {
                    HostBatch batch = loader.next();
                    try (NDManager step = manager.newSubManager()) {
                        NDList arrays = batch.toNDList(step);
                        TeacherOutputs out = teacher.outputs(arrays.get(0), arrays.get(1), signals);
                        if (writer == null) {
                            layout = layoutOf(out, key);
                            createFile(partial, key.records() * layout.recordBytes());
                            writer = open(partial, key, layout, 0, FileChannel.MapMode.READ_WRITE);
                        }
                        writer.write(batch.indices(), view, out);
                    }
                    done++;
                    viewsDone += batch.batchSize();
                    recordsDone += batch.batchSize();
                    long now = System.nanoTime();
                    double rate = viewsDone / ((now - start) / 1e9);
                    listener.onProgress("teacher bank", recordsDone, total, rate);
                    if (now - lastSave > PROGRESS_EVERY_NANOS || !loader.hasNext()) { // and at each view's end
                        writer.force();
                        Json.writeJson(progressFile, new Progress(key, layout, BUILD_BATCH, done,
                                seconds + (now - start) / 1e9));
                        lastSave = now;
                    }
                }
            }
        }
        if (writer == null) {
            throw new IllegalStateException("teacher bank: the training set is empty; nothing to store");
        }
        writer.force();
        seconds += (System.nanoTime() - start) / 1e9;
        Files.move(partial, bin, StandardCopyOption.ATOMIC_MOVE);
        Json.writeJson(sidecar(bin, ".json"), new Meta(key, layout, seconds));
        Files.deleteIfExists(progressFile);
        listener.onMessage(String.format(java.util.Locale.ROOT, "teacher bank: built %s in %.1f s (%.0f views/s)",
                describe(key, layout), seconds, key.records() / Math.max(seconds, 1e-9)));
        return open(bin, key, layout, seconds, FileChannel.MapMode.READ_ONLY);
    }

    /** A human line: images x views, what is stored, the size. */
    static String describe(Key key, Layout layout) {
        String size = layout == null ? "" : String.format(java.util.Locale.ROOT, ", %.1f MB",
                key.records() * layout.recordBytes() / 1e6);
        return String.format(java.util.Locale.ROOT, "%,d images x %d views: %s in %s%s", key.images(), key.views(),
                compact(key.signals()), key.precision(), size);
    }

    /** "map1..4, blockMap1..16, logits": signal keys with their numbers run together, in first-seen order. */
    static String compact(List<String> keys) {
        java.util.regex.Pattern numbered = java.util.regex.Pattern.compile("([a-zA-Z]+)(\\d+)(@\\d+x\\d+)?");
        Map<String, java.util.TreeSet<Integer>> groups = new java.util.LinkedHashMap<>();
        for (String k : keys) {
            java.util.regex.Matcher m = numbered.matcher(k);
            if (m.matches()) {
                String g = m.group(1) + "#" + (m.group(3) == null ? "" : m.group(3));
                groups.computeIfAbsent(g, x -> new java.util.TreeSet<>()).add(Integer.parseInt(m.group(2)));
            } else {
                groups.put(k, null);
            }
        }
        List<String> out = new ArrayList<>();
        groups.forEach((g, numbers) -> {
            if (numbers == null) {
                out.add(g);
                return;
            }
            List<String> runs = new ArrayList<>();
            Integer start = null;
            Integer prev = null;
            for (int n : numbers) {
                if (prev != null && n == prev + 1) {
                    prev = n;
                    continue;
                }
                if (start != null) {
                    runs.add(start.equals(prev) ? "" + start : start + ".." + prev);
                }
                start = n;
                prev = n;
            }
            runs.add(start.equals(prev) ? "" + start : start + ".." + prev);
            out.add(g.replace("#", String.join(",", runs)));
        });
        return String.join(", ", out);
    }

    private static Layout layoutOf(TeacherOutputs out, Key key) {
        Map<Signal, long[]> shapes = new HashMap<>();
        for (Signal s : key.parsedSignals()) {
            shapes.put(s, out.get(s).getShape().slice(1).getShape());
        }
        return Layout.of(key.parsedSignals(), shapes, key.bytesPerValue());
    }

    /**
     * The bytes a bank of {@code signals} would take, from the teacher's shapes for one image.
     *
     * @param perImage each signal's values per image
     */
    public static long estimateBytes(Map<Signal, Long> perImage, long records, int bytesPerValue) {
        long record = 0;
        for (long values : perImage.values()) {
            record += (8 + values * bytesPerValue + 3) & ~3L;
        }
        return record * records;
    }

    /**
     * Creates the bank's file at its full size, written out rather than sparse: the bank is memory-mapped, and a
     * write through a mapping into a sparse file on a full disk kills the process (SIGBUS) instead of failing.
     * So a full disk shows here, as an error naming the file and the space, before any teacher output is computed.
     */
    private static void createFile(Path path, long bytes) throws IOException {
        Files.deleteIfExists(path);
        long usable = Files.getFileStore(path.toAbsolutePath().getParent()).getUsableSpace();
        if (usable < bytes) {
            throw new IOException(String.format(java.util.Locale.ROOT, "cannot write %s: the teacher bank needs %.1f MB "
                    + "and %.1f MB are free there. Free some space (or lower teacherBank.views, or put the bank "
                    + "elsewhere with distill --bank-dir), then run the same command again", path, bytes / 1e6,
                    usable / 1e6));
        }
        try (FileChannel channel = FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long done = 0; done < bytes; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - done));
                done += channel.write(zeros, done);
            }
            channel.force(false);
        } catch (IOException e) {
            Files.deleteIfExists(path);
            throw new IOException("cannot write " + path + " (" + bytes / 1_000_000 + " MB): " + e.getMessage()
                    + ". Free some space and run the same command again", e);
        }
    }

    private static long recordsPerChunk(Layout layout) {
        return Math.max(1, CHUNK_BYTES / layout.recordBytes());
    }

    private static TeacherBank open(Path path, Key key, Layout layout, double buildSeconds, FileChannel.MapMode mode)
            throws IOException {
        long perChunk = recordsPerChunk(layout);
        int n = (int) ((key.records() + perChunk - 1) / perChunk);
        MappedByteBuffer[] chunks = new MappedByteBuffer[n];
        String access = mode == FileChannel.MapMode.READ_ONLY ? "r" : "rw";
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), access); FileChannel channel = f.getChannel()) {
            for (int c = 0; c < n; c++) {
                long first = c * perChunk;
                long records = Math.min(perChunk, key.records() - first);
                chunks[c] = channel.map(mode, first * layout.recordBytes(), records * layout.recordBytes());
                chunks[c].order(ByteOrder.LITTLE_ENDIAN);
            }
        } // the mappings stay valid after the channel closes
        return new TeacherBank(path, key, layout, chunks, buildSeconds);
    }

    private void force() {
        for (MappedByteBuffer chunk : chunks) {
            chunk.force();
        }
    }

    /** Stores one batch of the teacher's outputs as records (indices[b], view). */
    private void write(int[] indices, int view, TeacherOutputs out) {
        List<Signal> signals = key.parsedSignals();
        List<float[]> values = new ArrayList<>();
        for (Signal s : signals) {
            values.add(out.get(s).toFloatArray());
        }
        byte[] record = new byte[layout.recordBytes()];
        ByteBuffer buf = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        CRC32 crc = new CRC32();
        for (int i = 0; i < indices.length; i++) {
            for (int k = 0; k < signals.size(); k++) {
                int size = (int) layout.values(k);
                int offset = layout.offset(k);
                float[] v = values.get(k);
                float scale = layout.bytesPerValue() == 2 && signals.get(k).scaled() ? maxAbs(v, i * size, size) : 1f;
                buf.clear();
                buf.position(offset + 4);
                buf.putFloat(scale);
                putValues(buf, v, i * size, size, scale, indices[i], view, signals.get(k));
                crc.reset();
                crc.update(record, offset + 4, layout.segmentBytes(k) - 4);
                buf.putInt(offset, (int) crc.getValue());
            }
            long r = (long) indices[i] * key.views() + view;
            chunkOf(r).put(offsetOf(r), record);
        }
    }

    private static float maxAbs(float[] values, int from, int size) {
        float max = 0;
        for (int j = from; j < from + size; j++) {
            max = Math.max(max, Math.abs(values[j]));
        }
        return max > 0 ? max : 1f; // an all-zero map keeps scale 1
    }

    private void putValues(ByteBuffer buf, float[] values, int from, int size, float scale, int image, int view,
            Signal signal) {
        for (int j = from; j < from + size; j++) {
            float v = values[j];
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("teacher bank: the teacher produced " + v + " in " + signal.key()
                        + " for image " + image + ", view " + view + "; the teacher checkpoint is broken (check it with "
                        + "`distill4j eval`)");
            }
            if (layout.bytesPerValue() == 2) {
                buf.putShort(Half.fromFloat(v / scale));
            } else {
                buf.putFloat(v);
            }
        }
    }

    private MappedByteBuffer chunkOf(long record) {
        return chunks[(int) (record / recordsPerChunk)];
    }

    private int offsetOf(long record) {
        return (int) ((record % recordsPerChunk) * layout.recordBytes());
    }

    /**
     * The stored signals of (indices[b], views[b]) for every b. The images and labels are not looked at: the loader
     * made them from the same records and views. Each segment read is checked against its checksum.
     */
    @Override
    public TeacherOutputs outputs(NDArray images, NDArray labels, int[] indices, int[] views, Set<Signal> wanted) {
        if (views == null) {
            throw new IllegalStateException("a teacher bank needs batches drawn with its view schedule "
                    + "(BatchLoader.optViews(bank.schedule())); this batch was augmented per batch");
        }
        checkCovers(wanted);
        List<Signal> signals = key.parsedSignals();
        int b = indices.length;
        byte[] segment = new byte[0];
        NDManager manager = images.getManager();
        Map<Signal, NDArray> out = new HashMap<>();
        CRC32 crc = new CRC32();
        for (int k = 0; k < signals.size(); k++) {
            Signal signal = signals.get(k);
            if (!wanted.contains(signal)) {
                continue;
            }
            int size = (int) layout.values(k);
            int bytes = layout.segmentBytes(k);
            if (segment.length != bytes) {
                segment = new byte[bytes];
            }
            ByteBuffer buf = ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[b * size];
            for (int i = 0; i < b; i++) {
                if (indices[i] < 0 || indices[i] >= key.images() || views[i] < 0 || views[i] >= key.views()) {
                    throw new IllegalArgumentException("teacher bank " + file + " holds " + key.images() + " images x "
                            + key.views() + " views; asked for image " + indices[i] + ", view " + views[i]);
                }
                long r = (long) indices[i] * key.views() + views[i];
                chunkOf(r).get(offsetOf(r) + layout.offset(k), segment);
                crc.reset();
                crc.update(segment, 4, bytes - 4);
                if (buf.getInt(0) != (int) crc.getValue()) {
                    throw new IllegalStateException("teacher bank " + file + " is corrupt: " + signal.key()
                            + " of image " + indices[i] + ", view " + views[i] + " fails its checksum; delete " + file
                            + " and " + sidecar(file, ".json").getFileName() + " to rebuild it");
                }
                float scale = buf.getFloat(4);
                buf.position(8);
                for (int j = i * size; j < (i + 1) * size; j++) {
                    values[j] = layout.bytesPerValue() == 2 ? Half.toFloat(buf.getShort()) * scale : buf.getFloat();
                }
            }
            long[] shape = new long[1 + layout.shapes().get(k).size()];
            shape[0] = b;
            for (int d = 0; d < layout.shapes().get(k).size(); d++) {
                shape[d + 1] = layout.shapes().get(k).get(d);
            }
            out.put(signal, manager.create(values, new Shape(shape)));
        }
        return new TeacherOutputs(out);
    }

    /** Fails unless this bank stores every signal of {@code wanted}. */
    public void checkCovers(Set<Signal> wanted) {
        List<String> missing = new ArrayList<>();
        for (Signal s : new TreeSet<>(wanted)) {
            if (!key.signals().contains(s.key())) {
                missing.add(s.key());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("teacher bank " + file + " stores " + describe(key, layout)
                    + " but the method also reads " + missing);
        }
    }

    private static Path sidecar(Path bin, String suffix) {
        String name = bin.getFileName().toString();
        return bin.resolveSibling(name.substring(0, name.length() - ".bin".length()) + suffix);
    }

    private static Meta readMeta(Path file) {
        try {
            return Json.readJson(file, Meta.class);
        } catch (RuntimeException e) {
            return null; // unreadable: treated as absent, and the bank is rebuilt
        }
    }

    private static Progress readProgress(Path file) {
        try {
            return Json.readJson(file, Progress.class);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
