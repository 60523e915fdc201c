package dev.aegis.afs.cli.skills;

import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.cli.Version;
import dev.aegis.afs.core.skills.SkillProblem;
import dev.aegis.afs.core.tree.skills.SkillCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs skills check|propose|promote}: the skills library (docs/skills.md). */
@Command(name = "skills", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Checks a skills library, drafts a skill from an incident, promotes a draft.",
        subcommands = {SkillsCommand.Check.class})
public final class SkillsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: afs skills check | propose | promote");
    }

    @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Validates every skill under DIR (structured *.yaml and SKILL.md); prints each problem as "
                    + "file:line:column and exits 1 when there is one.")
    static final class Check implements Callable<Integer> {

        @Parameters(paramLabel = "DIR", description = "the skills directory, e.g. skills/")
        Path dir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            SkillCheck.Report report;
            try {
                report = SkillCheck.check(dir);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            String prefix = dir.toString().endsWith("/") ? dir.toString() : dir + "/";
            for (SkillProblem p : report.problems()) {
                out.println(prefix + p); // the file as the caller named it, so an editor jumps to file:line:column
            }
            out.println(report.files() + " skill file(s) checked, " + report.problems().size() + " problem(s)");
            out.flush();
            return report.problems().isEmpty() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }
}
