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
    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too (as DISTILL4J_DEBUG=1 does).")
    boolean debug;

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

    /** The error as one line: its message, or for a defect (no message, or a bug's exception type) what to do. */
    static String message(Exception e, boolean debug) {
        String text = e.getMessage();
        boolean defect = e instanceof NullPointerException || e instanceof ClassCastException
                || e instanceof IndexOutOfBoundsException || e instanceof ArithmeticException;
        if (text == null || text.isBlank() || defect) {
            return "internal error (" + e + ")" + (debug ? "" : "; rerun with --debug for the stack trace")
                    + ", and please report it with the command you ran";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " (more with --debug)";
    }

    private static boolean debugAsked(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure the user can act on (bad value, missing file, non-finite loss) is printed as one message,
     * not a stack trace; --debug (or DISTILL4J_DEBUG=1) shows the trace.
     */
    private static int reportError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = System.getenv("DISTILL4J_DEBUG") != null || debugAsked(parsed);
        err.println(cl.getColorScheme().errorText("error: " + message(e, debug)));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }
}
