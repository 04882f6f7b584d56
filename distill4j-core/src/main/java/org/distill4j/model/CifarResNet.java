package org.distill4j.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-style ResNet (He et al. 2016; the CIFAR variant of kuangliu/pytorch-cifar): a 3x3 stride-1 stem
 * conv + BN + ReLU and no max-pool, because 32x32 images cannot afford the ImageNet stem's 4x
 * downsampling; then 4 stages of w, 2w, 4w, 8w channels (x4 for bottlenecks) with strides 1, 2, 2, 2;
 * global average pooling; a linear classifier with bias. Blocks per stage: 18 -> [2,2,2,2], 34 and 50 ->
 * [3,4,6,3] (He et al. 2016, Table 1). With a "-cbam" name every residual block carries CBAM.
 *
 * <p>{@code forward} returns {@code [logits (B, K), stage1, .., stage4]}; {@link #features} wraps that.
 */
public final class CifarResNet extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int STAGES = 4;

    private final ModelSpec spec;
    private final Conv2d stemConv;
    private final BatchNorm stemNorm;
    private final List<SequentialBlock> stages = new ArrayList<>();
    private final Linear classifier;

    /**
     * Builds the (uninitialised) network for a spec.
     *
     * @param spec the architecture
     */
    public CifarResNet(ModelSpec spec) {
        super(VERSION);
        this.spec = spec;
        int width = spec.width();
        stemConv = addChildBlock("stemConv", Layers.conv(width, 3, 1));
        stemNorm = addChildBlock("stemBn", Layers.batchNorm());
        int[] blocks = spec.depth() == 18 ? new int[] {2, 2, 2, 2} : new int[] {3, 4, 6, 3};
        int in = width;
        for (int s = 1; s <= STAGES; s++) {
            int planes = width << (s - 1);
            SequentialBlock stage = new SequentialBlock();
            for (int b = 0; b < blocks[s - 1]; b++) {
                int stride = s > 1 && b == 0 ? 2 : 1;
                stage.add(
                        spec.bottleneck()
                                ? ResidualBlock.bottleneck(in, planes, stride, spec.cbam())
                                : ResidualBlock.basic(in, planes, stride, spec.cbam()));
                in = stageChannels(s);
            }
            stages.add(addChildBlock("stage" + s, stage));
        }
        classifier = addChildBlock("classifier", Linear.builder().setUnits(spec.numClasses()).build());
    }

    Conv2d stemConv() {
        return stemConv;
    }

    BatchNorm stemNorm() {
        return stemNorm;
    }

    /** Returns the residual blocks of a stage (1..4), in order. */
    List<ResidualBlock> blocks(int stage) {
        checkStage(stage);
        List<ResidualBlock> blocks = new ArrayList<>();
        for (ai.djl.nn.Block b : stages.get(stage - 1).getChildren().values()) {
            blocks.add((ResidualBlock) b);
        }
        return blocks;
    }

    Linear classifier() {
        return classifier;
    }

    /** Returns the architecture this network was built from. */
    public ModelSpec spec() {
        return spec;
    }

    /**
     * Returns the number of channels of a stage's output.
     *
     * @param stage 1..4
     * @return {@code width * 2^(stage-1)}, times 4 for bottleneck nets
     */
    public int stageChannels(int stage) {
        checkStage(stage);
        int expansion = spec.bottleneck() ? ResidualBlock.EXPANSION : 1;
        return (spec.width() << (stage - 1)) * expansion;
    }

    /**
     * Runs the whole network.
     *
     * @param ps the parameter store
     * @param x images {@code (B, C_in, H, W)}
     * @param training whether BatchNorm uses batch statistics (and updates its running ones)
     * @return logits and the four stage outputs
     */
    public Features features(ParameterStore ps, NDArray x, boolean training) {
        NDList out = forward(ps, new NDList(x), training);
        return new Features(out.get(0), out.subList(1, 1 + STAGES));
    }

    /**
     * Runs the model from a stage output onwards: stages {@code stage+1..4}, pooling, classifier. Lets
     * Integrated Gradients treat a stage output as the input of the rest of the network.
     *
     * @param ps the parameter store
     * @param stageOutput the output of {@code stage}, {@code (B, C_stage, H_stage, W_stage)}
     * @param stage 1..4 (4 = pooling and classifier only)
     * @param training whether BatchNorm uses batch statistics
     * @return logits {@code (B, K)}
     */
    public NDArray forwardTail(ParameterStore ps, NDArray stageOutput, int stage, boolean training) {
        checkStage(stage);
        Shape shape = stageOutput.getShape();
        if (shape.dimension() != 4 || shape.get(1) != stageChannels(stage)) {
            throw new IllegalArgumentException(
                    "stage " + stage + " output must be (B, " + stageChannels(stage) + ", H, W), got "
                            + shape);
        }
        NDArray h = stageOutput;
        for (int s = stage; s < STAGES; s++) {
            h = Layers.apply(stages.get(s), ps, h, training);
        }
        return head(ps, h, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow(); // (B, C_in, H, W)
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != spec.inChannels()) {
            throw new IllegalArgumentException(
                    "input must be (B, " + spec.inChannels() + ", H, W), got " + x.getShape());
        }
        NDArray stem = Layers.apply(stemNorm, ps, Layers.apply(stemConv, ps, x, training), training);
        NDArray h = Activation.relu(stem); // (B, w, H, W)
        NDList stageOutputs = new NDList(STAGES);
        for (SequentialBlock stage : stages) {
            h = Layers.apply(stage, ps, h, training); // (B, C_s, H_s, W_s)
            stageOutputs.add(h);
        }
        NDList out = new NDList(head(ps, h, training)); // logits (B, K) first
        out.addAll(stageOutputs);
        return out;
    }

    /** Global average pooling then the classifier: (B, C_4, H_4, W_4) -> (B, K). */
    private NDArray head(ParameterStore ps, NDArray h, boolean training) {
        return Layers.apply(classifier, ps, Pool.globalAvgPool2d(h), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stemConv.initialize(manager, dataType, inputShapes);
        Shape[] shapes = stemConv.getOutputShapes(inputShapes);
        stemNorm.initialize(manager, dataType, shapes);
        for (SequentialBlock stage : stages) {
            stage.initialize(manager, dataType, shapes);
            shapes = stage.getOutputShapes(shapes);
        }
        classifier.initialize(manager, dataType, shapes[0].slice(0, 2)); // (B, C_4)
    }

    /**
     * Loads parameters as DJL does, then marks the trainable ones as requiring gradients again: DJL's
     * {@code Parameter.load} does not, so a student resumed from a checkpoint would silently not learn.
     */
    @Override
    public void loadParameters(NDManager manager, DataInputStream is)
            throws IOException, MalformedModelException {
        super.loadParameters(manager, is);
        for (Parameter p : getParameters().values()) {
            if (p.requiresGradient()) {
                p.getArray().setRequiresGradient(true);
            }
        }
    }

    /** Returns {@code [logits (B, K), stage1 .. stage4 (B, C_i, H_i, W_i)]} for any input H, W. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[1 + STAGES];
        Shape[] shapes = stemConv.getOutputShapes(inputShapes);
        for (int s = 0; s < STAGES; s++) {
            shapes = stages.get(s).getOutputShapes(shapes);
            out[1 + s] = shapes[0];
        }
        out[0] = new Shape(inputShapes[0].get(0), spec.numClasses());
        return out;
    }

    private static void checkStage(int stage) {
        if (stage < 1 || stage > STAGES) {
            throw new IllegalArgumentException("stage must be in 1.." + STAGES + ", got " + stage);
        }
    }
}
