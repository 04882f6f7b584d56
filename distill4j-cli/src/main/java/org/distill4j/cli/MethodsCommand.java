package org.distill4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.distill4j.config.TermConfig;
import org.distill4j.distill.Methods;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code distill4j methods}: the presets with their weighted terms, and each term kind with its options. */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = "List the method presets (their weighted terms, every option resolved) and the term kinds with "
                + "their options and defaults. With a name, only that preset.")
public final class MethodsCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "PRESET", description = "Show only this preset.")
    String name;

    @Override
    public Integer call() {
        if (name != null) {
            System.out.println(Methods.describe(Methods.preset(name)));
            for (TermConfig t : Methods.preset(name).terms()) {
                System.out.println("  " + t.term() + " weight " + t.weight() + " " + t.options());
            }
            return 0;
        }
        System.out.println("Presets (--method NAME; `methods NAME` shows every option):");
        for (Methods.Preset p : Methods.presets()) {
            System.out.printf("  %-13s %s%n", p.name(), Methods.describe(Methods.preset(p.name()))
                    .substring(p.name().length() + 2));
            System.out.printf("  %-13s   %s%n", "", p.summary());
        }
        System.out.println();
        System.out.println("Terms (in an explicit list: {name: NAME, terms: [{term: KIND, weight: W, options...}]}):");
        for (Methods.Kind<?> k : Methods.kinds()) {
            List<String> options = new ArrayList<>();
            for (var c : k.defaults().getClass().getRecordComponents()) {
                try {
                    options.add(c.getName() + "=" + c.getAccessor().invoke(k.defaults()));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            System.out.printf("  %-7s %s%n", k.name(), k.summary());
            if (!options.isEmpty()) {
                System.out.printf("  %-7s   options: %s%n", "", String.join(", ", options));
            }
        }
        return 0;
    }
}
