package org.distill4j.model;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model name parsed: which family and the parameters its name carries. Names are lower-case as the papers
 * write them; the architecture's own width parameter is part of the name where it has one ({@code wrn-28-10},
 * {@code shufflenetv2-0.5x}, {@code mobilenetv2-0.75x}, {@code resnet8x4}), and only the seed's ResNets take
 * a separate base width.
 *
 * @param family     the network family
 * @param depth      layers in the name (ResNet, CIFAR ResNet, WRN, VGG); 0 where the name has none
 * @param widen      WRN's widening factor k; 4 for the CIFAR ResNets "x4"; else 1
 * @param multiplier MobileNetV2's width multiplier or ShuffleNetV2's net size; else 1
 * @param cbam       every residual block carries CBAM (the seed's ResNets only)
 */
public record Architecture(Family family, int depth, int widen, double multiplier, boolean cbam) {

    /** The network families of the zoo. */
    public enum Family {
        /** He et al. 2016 with a CIFAR stem (3x3 conv, no max-pool), 4 stages (kuangliu/pytorch-cifar). */
        RESNET,
        /** He et al. 2016's CIFAR ResNets: 6n+2 layers, 3 stages of 16/32/64 channels (RepDistiller). */
        CIFAR_RESNET,
        /** Zagoruyko &amp; Komodakis 2016, pre-activation, 3 stages of 16k/32k/64k (RepDistiller). */
        WRN,
        /** Simonyan &amp; Zisserman 2015 with BatchNorm, CIFAR head (RepDistiller). */
        VGG,
        /** Sandler et al. 2018, CIFAR variant with a stride-2 stem (RepDistiller). */
        MOBILENETV2,
        /** Zhang et al. 2018, g = 3, CIFAR stem (RepDistiller). */
        SHUFFLENETV1,
        /** Ma et al. 2018, CIFAR stem (RepDistiller). */
        SHUFFLENETV2
    }

    /** The names {@code distill4j models} lists; others of the same patterns are accepted too. */
    public static final List<String> NAMES = List.of(
            "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
            "resnet18-cbam", "resnet34-cbam", "resnet50-cbam",
            "resnet8", "resnet14", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
            "resnet8x4", "resnet32x4",
            "wrn-16-1", "wrn-16-2", "wrn-40-1", "wrn-40-2", "wrn-28-10",
            "vgg8", "vgg11", "vgg13", "vgg16", "vgg19",
            "mobilenetv2", "mobile_half",
            "shufflenetv1",
            "shufflenetv2-0.5x", "shufflenetv2", "shufflenetv2-1.5x", "shufflenetv2-2x");

    /** What the patterns accept, for error messages. */
    static final String PATTERNS = "resnet18/34/50/101/152 (optionally -cbam), resnetD with D = 6n+2 (e.g. resnet56),"
            + " resnet8x4, resnet32x4, wrn-D-K with D = 6n+4 (e.g. wrn-28-10), vgg8/11/13/16/19, mobilenetv2,"
            + " mobilenetv2-Mx (e.g. mobilenetv2-0.5x), mobile_half, shufflenetv1, shufflenetv2,"
            + " shufflenetv2-0.5x/1.5x/2x";

    /** ShuffleNetV2 net sizes with published channel counts (Ma et al. 2018, Table 5). */
    static final List<Double> SHUFFLENETV2_SIZES = List.of(0.5, 1.0, 1.5, 2.0);

    private static final Pattern RESNET = Pattern.compile("resnet(\\d+)(-cbam)?");
    private static final Pattern CIFAR_X4 = Pattern.compile("resnet(\\d+)x4");
    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");
    private static final Pattern VGG = Pattern.compile("vgg(8|11|13|16|19)");
    private static final Pattern MOBILENET = Pattern.compile("mobilenetv2(?:-(\\d+(?:\\.\\d+)?)x)?");
    private static final Pattern SHUFFLEV2 = Pattern.compile("shufflenetv2(?:-(\\d+(?:\\.\\d+)?)x)?");

    /**
     * Parses a model name.
     *
     * @throws IllegalArgumentException naming the accepted names when it is not one
     */
    public static Architecture parse(String name) {
        if (name == null) {
            throw unknown(null, "");
        }
        Matcher m;
        if ((m = RESNET.matcher(name)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            boolean cbam = m.group(2) != null;
            if (List.of(18, 34, 50, 101, 152).contains(depth)) {
                return new Architecture(Family.RESNET, depth, 1, 1, cbam);
            }
            if (!cbam && depth >= 8 && (depth - 2) % 6 == 0) {
                return new Architecture(Family.CIFAR_RESNET, depth, 1, 1, false);
            }
            throw unknown(name, cbam ? "; CBAM is offered on resnet18/34/50/101/152"
                    : "; CIFAR ResNets have 6n+2 layers (8, 14, 20, 32, 44, 56, 110, ...)");
        }
        if ((m = CIFAR_X4.matcher(name)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            if (depth >= 8 && (depth - 2) % 6 == 0) {
                return new Architecture(Family.CIFAR_RESNET, depth, 4, 1, false);
            }
            throw unknown(name, "; CIFAR ResNets have 6n+2 layers");
        }
        if ((m = WRN.matcher(name)).matches()) {
            int depth = Integer.parseInt(m.group(1));
            int k = Integer.parseInt(m.group(2));
            if (depth >= 10 && (depth - 4) % 6 == 0 && k >= 1 && k <= 64) {
                return new Architecture(Family.WRN, depth, k, 1, false);
            }
            throw unknown(name, "; WRN-D-K needs D = 6n+4 >= 10 and K in 1..64");
        }
        if ((m = VGG.matcher(name)).matches()) {
            return new Architecture(Family.VGG, Integer.parseInt(m.group(1)), 1, 1, false);
        }
        if (name.equals("mobile_half")) {
            return new Architecture(Family.MOBILENETV2, 0, 1, 0.5, false);
        }
        if ((m = MOBILENET.matcher(name)).matches()) {
            double w = m.group(1) == null ? 1 : Double.parseDouble(m.group(1));
            if (w >= 0.125 && w <= 4) {
                return new Architecture(Family.MOBILENETV2, 0, 1, w, false);
            }
            throw unknown(name, "; the width multiplier must be in [0.125, 4]");
        }
        if (name.equals("shufflenetv1")) {
            return new Architecture(Family.SHUFFLENETV1, 0, 1, 1, false);
        }
        if ((m = SHUFFLEV2.matcher(name)).matches()) {
            double size = m.group(1) == null ? 1 : Double.parseDouble(m.group(1));
            if (SHUFFLENETV2_SIZES.contains(size)) {
                return new Architecture(Family.SHUFFLENETV2, 0, 1, size, false);
            }
            throw unknown(name, "; ShuffleNetV2 comes in 0.5x, 1x, 1.5x and 2x");
        }
        throw unknown(name, "");
    }

    /** Whether the name leaves the base width to a separate {@code width} (the seed's ResNets only). */
    public boolean hasWidth() {
        return family == Family.RESNET;
    }

    /** The base width of the seed's ResNets when none is given: the paper's 64. */
    public static final int DEFAULT_RESNET_WIDTH = 64;

    private static IllegalArgumentException unknown(String name, String why) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "unknown model name '%s'%s; known: %s (`distill4j models` lists them)", name, why, PATTERNS));
    }
}
