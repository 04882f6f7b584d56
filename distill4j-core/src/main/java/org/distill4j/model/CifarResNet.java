package org.distill4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The post-activation ResNets (He et al. 2016) with a CIFAR stem: a 3x3 stride-1 conv + BN + ReLU and no
 * max-pool, because 32x32 images cannot afford the ImageNet stem's 4x downsampling; residual stages; global
 * average pooling; a linear classifier with bias. Two layouts share this code:
 * <ul>
 *   <li>the seed's ResNet18/34/50/101/152 (kuangliu/pytorch-cifar): 4 stages of w, 2w, 4w, 8w channels (x4 for
 *       bottlenecks) with strides 1, 2, 2, 2; blocks per stage from He et al. 2016, Table 1; with "-cbam" every
 *       residual block carries CBAM;</li>
 *   <li>He et al.'s CIFAR ResNets resnet8..110 (RepDistiller): 3 stages of 16, 32, 64 basic blocks, n = (d-2)/6
 *       each, strides 1, 2, 2; the "x4" nets (resnet8x4, resnet32x4) have a 32-channel stem and 64, 128, 256.</li>
 * </ul>
 * A block's shortcut is a 1x1 conv + BN when its shape changes (option B of He et al.), else identity.
 */
public final class CifarResNet extends Network {

    private static final byte VERSION = 1;
    private static final Map<Integer, int[]> BLOCKS = Map.of(
            18, new int[] {2, 2, 2, 2},
            34, new int[] {3, 4, 6, 3},
            50, new int[] {3, 4, 6, 3},
            101, new int[] {3, 4, 23, 3},
            152, new int[] {3, 8, 36, 3});

    private final Conv2d stemConv;
    private final BatchNorm stemNorm;
    private final List<SequentialBlock> stages = new ArrayList<>();
    private final Linear classifier;

    /**
     * Builds the (uninitialised) network for a spec.
     *
     * @param spec a seed ResNet or a CIFAR ResNet
     */
    public CifarResNet(ModelSpec spec) {
        super(VERSION, spec);
        Architecture arch = spec.architecture();
        int stem;
        int[] planes;
        int[] blocks;
        if (arch.family() == Architecture.Family.RESNET) {
            int w = spec.width();
            stem = w;
            planes = new int[] {w, 2 * w, 4 * w, 8 * w};
            blocks = BLOCKS.get(arch.depth());
        } else if (arch.family() == Architecture.Family.CIFAR_RESNET) {
            int n = (arch.depth() - 2) / 6;
            stem = arch.widen() == 4 ? 32 : 16;
            planes = arch.widen() == 4 ? new int[] {64, 128, 256} : new int[] {16, 32, 64};
            blocks = new int[] {n, n, n};
        } else {
            throw new IllegalArgumentException(spec.name() + " is not a ResNet");
        }
        boolean bottleneck = spec.bottleneck();
        stemConv = addChildBlock("stemConv", Layers.conv(stem, 3, 1));
        stemNorm = addChildBlock("stemBn", Layers.batchNorm());
        int[] stageChannels = new int[planes.length];
        int in = stem;
        for (int s = 0; s < planes.length; s++) {
            SequentialBlock stage = new SequentialBlock();
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                ResidualBlock block = bottleneck
                        ? ResidualBlock.bottleneck(in, planes[s], stride, spec.cbam())
                        : ResidualBlock.basic(in, planes[s], stride, spec.cbam());
                stage.add(block);
                in = planes[s] * (bottleneck ? ResidualBlock.EXPANSION : 1);
            }
            stageChannels[s] = in;
            stages.add(addChildBlock("stage" + (s + 1), stage));
        }
        classifier = addChildBlock("classifier", Linear.builder().setUnits(spec.numClasses()).build());
        declareStages(stageChannels);
    }




    /** Returns the residual blocks of a stage (1-based), in order. */
    List<ResidualBlock> blocks(int stage) {
        checkStage(stage);
        List<ResidualBlock> blocks = new ArrayList<>();
        for (Block b : stages.get(stage - 1).getChildren().values()) {
            blocks.add((ResidualBlock) b);
        }
        return blocks;
    }

    @Override
    Features run(Forward f, NDArray x) {
        NDArray stem = f.relu(f.convBn(stemConv, stemNorm, x)); // (B, w, H, W)
        StageTrace trace = new StageTrace();
        NDArray h = stem;
        for (int s = 1; s <= stages.size(); s++) {
            h = trace.stage(f, blocks(s), h); // (B, C_s, H_s, W_s); pre-activation: the last block's sum
        }
        NDArray pooled = f.globalAvgPool(h); // (B, C_last)
        return trace.features(f.linear(classifier, pooled), pooled, stem);
    }

    @Override
    NDArray tail(Forward f, NDArray h, int stage) {
        for (int s = stage + 1; s <= stages.size(); s++) {
            h = chain(f, blocks(s), h, new ArrayList<>()).get(0);
        }
        return f.linear(classifier, f.globalAvgPool(h)); // (B, C_last) -> (B, K)
    }

    /**
     * Shapes propagated by hand, as before the zoo existed: the parameter file records each block's input shape,
     * and teachers saved then must load unchanged.
     */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stemConv.initialize(manager, dataType, inputShapes);
        Shape[] shapes = stemConv.getOutputShapes(inputShapes);
        stemNorm.initialize(manager, dataType, shapes);
        for (SequentialBlock stage : stages) {
            stage.initialize(manager, dataType, shapes);
            shapes = stage.getOutputShapes(shapes);
        }
        classifier.initialize(manager, dataType, shapes[0].slice(0, 2)); // (B, C_last)
    }
}
