package org.distill4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code distill4j <command> [options]}. */
@Command(name = "distill4j", mixinStandardHelpOptions = true, version = "distill4j 0.1.0",
        description = "Knowledge distillation of image classifiers on the JVM.",
        subcommands = {DemoCommand.class, RunCommand.class, TrainCommand.class, DistillCommand.class, EvalCommand.class, ReportCommand.class, BenchCommand.class, DataCommand.class, ModelsCommand.class, MethodsCommand.class, PredictCommand.class, ExportCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests execute it directly. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::reportError);
        return cl;
    }

    /**
     * A failure the user can act on (bad value, missing file, non-finite loss) is printed as one message,
     * not a stack trace; DISTILL4J_DEBUG=1 shows the trace.
     */
    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        err.println(cl.getColorScheme().errorText("error: " + message));
        if (System.getenv("DISTILL4J_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }
}
