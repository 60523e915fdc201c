package dev.aegis.afs.cli.skills;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.afs.cli.ExitCodes;
import dev.aegis.afs.cli.Version;
import dev.aegis.afs.cli.harness.HarnessUrl;
import dev.aegis.afs.core.AfsError;
import dev.aegis.afs.core.AfsException;
import dev.aegis.afs.core.Caller;
import dev.aegis.afs.core.harness.HarnessClient;
import dev.aegis.afs.core.skills.SkillDraft;
import dev.aegis.afs.core.skills.SkillSchema;
import dev.aegis.afs.core.skills.SkillProblem;
import dev.aegis.afs.core.tree.skills.SkillCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code afs skills check|propose|promote}: the skills library (docs/skills.md). */
@Command(name = "skills", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Checks a skills library, drafts a skill from an incident, promotes a draft.",
        subcommands = {SkillsCommand.Check.class, SkillsCommand.Propose.class, SkillsCommand.Promote.class})
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

    /** The incident's change requests as the harness shows them to the caller (with their documents). */
    static List<JsonNode> requestsOf(HarnessClient client, JsonNode timeline) throws AfsException {
        Set<String> ids = new LinkedHashSet<>();
        timeline.path("entries").forEach(e -> {
            if (e.hasNonNull("request") && !e.path("request").asText().isEmpty() && !e.path("request").asText().startsWith("incident:")) {
                ids.add(e.path("request").asText());
            }
        });
        List<JsonNode> out = new ArrayList<>();
        for (String id : ids) {
            out.add(client.get(id, Caller.self()));
        }
        return out;
    }

    @Command(name = "propose", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Drafts a structured skill from a SUCCEEDED incident: its cited reads as steps (names and times "
                    + "generalised), triggers from the first of them, the executed plan as the template.",
                    "Stores it under /context/skills/proposed/<team>/ through the harness (or prints it with --dry-run)."})
    static final class Propose implements Callable<Integer> {

        @Parameters(paramLabel = "INCIDENT", description = "the incident id, e.g. INC-7")
        String incident;

        @Option(names = "--name", description = "the skill's name (default <incident>-<tool>-<target>)")
        String name;

        @Option(names = "--dry-run", description = "print the draft; store nothing")
        boolean dryRun;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws AfsException {
            HarnessClient client = harness.client();
            JsonNode timeline = client.timeline(incident, Caller.self());
            SkillDraft.Draft draft = SkillDraft.draft(incident, timeline, requestsOf(client, timeline), Optional.ofNullable(name));
            PrintWriter out = spec.commandLine().getOut();
            if (!dryRun) {
                JsonNode stored = client.proposeSkill(draft.team(), draft.env(), incident,
                        draft.yaml().getBytes(StandardCharsets.UTF_8), Caller.self());
                out.println("# proposed " + stored.path("path").asText() + " (from " + draft.request() + "); promote it with:");
                out.println("#   afs skills promote \"$AFS" + stored.path("path").asText() + "\" --team " + draft.team() + " --env "
                        + draft.env() + " --incident " + incident + " [--scope shared]");
            }
            out.print(draft.yaml());
            out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Asks for a skill to enter the library: submits a change request of kind skill, which the harness "
                    + "writes into the library once approved (a team skill by the team's approvers; --scope shared by a "
                    + "platform approver outside the team).", "Prints the request's status; exit 1 when it was rejected."})
    static final class Promote implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "the skill, e.g. \"$AFS/context/skills/proposed/payments/x.yaml\"")
        Path file;

        @Option(names = "--team", required = true)
        String team;

        @Option(names = "--env", required = true, description = "the env whose approvers approve a team skill")
        String env;

        @Option(names = "--incident", required = true, description = "the incident it was learnt from")
        String incident;

        @Option(names = "--scope", defaultValue = "team", description = "team (teams/<team>/) or shared (default ${DEFAULT-VALUE})")
        String scope;

        @Option(names = "--id", description = "the change request's id (default: skill-<name>-<scope>)")
        String id;

        @Mixin
        HarnessUrl harness;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException, AfsException {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new AfsException(AfsError.NOT_FOUND, file + ": no such file; name the skill to promote");
            }
            SkillSchema.Result read = SkillSchema.read(file.toString(), content, Optional.empty());
            if (!read.ok()) {
                PrintWriter err = spec.commandLine().getErr();
                read.problems().forEach(err::println);
                err.flush();
                return ExitCodes.CHECK_FAILED;
            }
            String skill = read.skill().orElseThrow().name();
            String document = "kind: skill\nincident_id: " + incident + "\nteam: " + team + "\nenv: " + env + "\nname: " + skill
                    + "\nscope: " + scope + "\ncontent: |\n" + content.indent(2);
            HarnessClient client = harness.client();
            HarnessClient.Reply reply = client.submit(document.getBytes(StandardCharsets.UTF_8), Caller.self(),
                    id != null ? id : "skill-" + skill + "-" + scope);
            PrintWriter out = spec.commandLine().getOut();
            out.print(client.statusText(reply.id(), Caller.self()));
            out.flush();
            return reply.state().equals("REJECTED") ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
        }
    }
}
