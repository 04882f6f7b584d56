package org.distill4j.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Any network of the zoo, as training, distillation, evaluation, the teacher bank and the report see it: a
 * DJL block that returns its {@link Features} (logits, stage outputs before and after activation, the pooled
 * embedding, every block's output), runs from any stage output to the logits ({@link #forwardTail}, for
 * Integrated Gradients through the teacher's tail), and gives a folded inference copy ({@link #fold}).
 *
 * <p>Each architecture writes its forward once, against {@link Forward}; training, initialisation, the folded
 * copy and FLOP counting all run that same code.
 */
public abstract class Network extends AbstractBlock {

    private final ModelSpec spec;
    private int[] stageChannels = new int[0];

    Network(byte version, ModelSpec spec) {
        super(version);
        this.spec = spec;
    }

    /** Declares the channels of each stage's output, shallow first; every constructor calls it once. */
    void declareStages(int... channels) {
        stageChannels = channels.clone();
    }

    /** Returns the architecture this network was built from. */
    public final ModelSpec spec() {
        return spec;
    }

    /** Returns the number of stages (3 for CIFAR ResNets, WRNs and ShuffleNets; 4 for the rest). */
    public final int stageCount() {
        return stageChannels.length;
    }

    /**
     * Returns the number of channels of a stage's output.
     *
     * @param stage 1..{@link #stageCount}
     */
    public final int stageChannels(int stage) {
        checkStage(stage);
        return stageChannels[stage - 1];
    }

    /**
     * Runs units one after another from h, appending each one's output to {@code blocks}.
     *
     * @return the last unit's {@code [output, pre-activation output]} (its output twice when it has no other form)
     */
    static NDList chain(Forward f, List<? extends Unit> units, NDArray h, List<NDArray> blocks) {
        NDList out = new NDList(h, h);
        for (Unit unit : units) {
            out = unit.apply(f, out.get(0));
            blocks.add(out.get(0));
        }
        return out.size() > 1 ? out : new NDList(out.get(0), out.get(0));
    }

    /** The whole forward, written against {@code f}; x is already in {@code f}'s layout. */
    abstract Features run(Forward f, NDArray x);

    /** From a stage's output onwards: the later stages, the head, the classifier. */
    abstract NDArray tail(Forward f, NDArray stageOutput, int stage);

    /**
     * Runs the whole network.
     *
     * @param ps the parameter store
     * @param x images {@code (B, C_in, H, W)}
     * @param training whether BatchNorm uses batch statistics (and updates its running ones)
     * @return logits, stage outputs, pooled embedding and block outputs
     */
    public Features features(ParameterStore ps, NDArray x, boolean training) {
        checkInput(x);
        return run(Forward.of(ps, training), x);
    }

    /**
     * Runs the network from a stage output onwards: later stages, pooling, classifier. Lets Integrated Gradients
     * treat a stage output as the input of the rest of the network.
     *
     * @param ps the parameter store
     * @param stageOutput the (post-activation) output of {@code stage}, {@code (B, C_stage, H_stage, W_stage)}
     * @param stage 1..{@link #stageCount} (the last: pooling and classifier only)
     * @param training whether BatchNorm uses batch statistics
     * @return logits {@code (B, K)}
     */
    public NDArray forwardTail(ParameterStore ps, NDArray stageOutput, int stage, boolean training) {
        checkStage(stage);
        Shape shape = stageOutput.getShape();
        if (shape.dimension() != 4 || shape.get(1) != stageChannels(stage)) {
            throw new IllegalArgumentException("stage " + stage + " output of " + spec().name() + " must be (B, "
                    + stageChannels(stage) + ", H, W), got " + shape);
        }
        return tail(Forward.of(ps, training), stageOutput, stage);
    }

    /**
     * An inference copy with BatchNorm folded into the convolutions, channels-last: the same function as
     * {@code features(ps, x, false)} up to float rounding, for batch-1 latency.
     *
     * @param parent the manager its arrays hang under; closing the copy frees them
     */
    public FoldedNetwork fold(NDManager parent) {
        return new FoldedNetwork(this, parent, true);
    }

    /**
     * The network's eval-mode function as a graph for export: the folded forward (BatchNorm folded into the
     * convolutions) run once on a zero image of the input shape it was built for, every operation recorded.
     * Input {@code (batch, C, H, W)}, normalised as in training; output the logits {@code (batch, K)}.
     *
     * @param parent a manager for the scratch arrays of that run (all freed before it returns)
     */
    public Graph graph(NDManager parent) {
        Shape in = inputShape();
        Graph graph = new Graph(new long[] {1, in.get(1), in.get(2), in.get(3)});
        try (NDManager scratch = parent.newSubManager()) {
            Forward f = Forward.tracing(scratch, graph);
            NDArray x = scratch.zeros(new Shape(1, in.get(1), in.get(2), in.get(3)));
            graph.output(run(f, f.input(x)).logits());
        }
        return graph;
    }

    /**
     * Forward FLOPs of one image: 2 x the multiply-adds of every conv and linear layer (BatchNorm, activations,
     * pooling and additions are not counted, as in the usual tables).
     *
     * @param height input height
     * @param width input width
     */
    public long flops(int height, int width) {
        try (NDManager scratch = anyParameterManager().newSubManager()) {
            Forward f = Forward.counting(new ParameterStore(scratch, false));
            run(f, scratch.zeros(new Shape(1, spec().inChannels(), height, width)));
            return f.flops();
        }
    }

    /** The input shape the network was initialised or loaded with, batch first. */
    Shape inputShape() {
        return inputShapes[0];
    }

    private NDManager anyParameterManager() {
        for (Parameter p : getParameters().values()) {
            if (p.isInitialized()) {
                return p.getArray().getManager();
            }
        }
        throw new IllegalStateException(spec().name() + " is not initialised: initialise or load it first");
    }

    void checkStage(int stage) {
        if (stage < 1 || stage > stageCount()) {
            throw new IllegalArgumentException(spec().name() + " has stages 1.." + stageCount() + ", got " + stage);
        }
    }

    private void checkInput(NDArray x) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != spec().inChannels()) {
            throw new IllegalArgumentException(
                    spec().name() + " input must be (B, " + spec().inChannels() + ", H, W), got " + x.getShape());
        }
    }

    /** {@code [logits (B, K), stage1 .. stage_n]}, for callers that use DJL's block API. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Features f = features(ps, inputs.singletonOrThrow(), training);
        NDList out = new NDList(f.logits());
        out.addAll(f.stages());
        return out;
    }

    /**
     * Initialises every layer by running the forward once on zeros in eval mode: each layer is initialised for
     * the shape that reaches it (see {@link Forward#initializing}), so no architecture propagates shapes by hand.
     */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        try (NDManager scratch = manager.newSubManager()) {
            Shape one = new Shape(1, inputShapes[0].get(1), inputShapes[0].get(2), inputShapes[0].get(3));
            run(Forward.initializing(manager), scratch.zeros(one));
        }
    }

    /** Returns {@code [(B, K)]}: the logits (the stage shapes depend on the architecture; run it to see them). */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), spec().numClasses())};
    }

    /**
     * Loads parameters as DJL does, once {@link CheckedParameters} has checked every header in them against this
     * network (so a damaged or crafted file cannot make DJL allocate what it claims), then marks the trainable ones as requiring gradients again: DJL's
     * {@code Parameter.load} does not, so a student resumed from a checkpoint would silently not learn.
     */
    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws IOException, MalformedModelException {
        super.loadParameters(manager, CheckedParameters.read(this, is));
        for (Parameter p : getParameters().values()) {
            if (p.requiresGradient()) {
                p.getArray().setRequiresGradient(true);
            }
        }
    }
}
