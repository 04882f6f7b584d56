package org.distill4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.distill4j.config.ConfigException;

/** Maps the --device option to a DJL device, failing clearly when a GPU is asked for and libtorch sees none. */
public final class Devices {
    private Devices() {}

    public static Device resolve(String name) {
        Engine engine = Engine.getInstance();
        return switch (name) {
            case "cpu" -> Device.cpu();
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            case "gpu" -> {
                if (engine.getGpuCount() == 0) {
                    throw new ConfigException("--device gpu: libtorch sees no GPU. Install a CUDA build of "
                            + "PyTorch 2.7.1 and set PYTORCH_LIBRARY_PATH to its torch/lib and PYTORCH_FLAVOR=cu128 "
                            + "(see README, 'Running on a GPU'), or use --device cpu");
                }
                yield Device.gpu();
            }
            default -> throw new ConfigException("unknown device '" + name + "' (allowed: cpu, gpu, auto)");
        };
    }

    /** Library versions for provenance. */
    public static java.util.Map<String, String> versions() {
        java.util.Map<String, String> v = new java.util.LinkedHashMap<>();
        v.put("distill4j", String.valueOf(Devices.class.getPackage().getImplementationVersion()));
        v.put("djl", Engine.getDjlVersion());
        v.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        v.put("java", System.getProperty("java.version"));
        return v;
    }
}
