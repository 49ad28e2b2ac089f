import java.nio.file.Path;
import java.util.List;

/**
 * Before {@code -e destroy} removes anything: the instance's directories must be its own. A
 * config, queue or data directory that leads through a symbolic link into another instance's
 * directory (a queue directory linked to another instance's queue, say) is refused, with nothing
 * changed: the removals work inside what the path leads to, and would take the other
 * instance's empty queue subdirectories, or its main.cf and master.cf. The C program follows
 * the link. A layout that main.cf itself spells that way (a data directory inside another
 * instance's, as the admin chose it) is not ours to refuse, only one that a link makes.
 */
final class DestroyGuard {
    private record Directory(String parameter, String path) {
    }

    private DestroyGuard() {
    }

    static void requireOwnDirectories(Host host, Instance target, List<Instance> instances) {
        for (Instance other : instances) {
            if (other.configDirectory().equals(target.configDirectory())) continue;
            for (Directory ours : directories(target)) {
                Path real = host.resolved(ours.path());
                if (real == null) continue;
                for (Directory theirs : directories(other)) {
                    Path otherReal = host.resolved(theirs.path());
                    if (otherReal == null || !real.startsWith(otherReal) || spelledInside(ours.path(), theirs.path())) continue;
                    throw new Fatal("Cannot destroy instance " + target.label() + ": " + ours.parameter() + "="
                            + ours.path() + " leads through a symbolic link into instance " + other.label() + ", "
                            + theirs.parameter() + "=" + theirs.path());
                }
            }
        }
    }

    private static List<Directory> directories(Instance instance) {
        return List.of(new Directory("config_directory", instance.configDirectory()),
                new Directory("queue_directory", instance.queueDirectory()),
                new Directory("data_directory", instance.dataDirectory()));
    }

    private static boolean spelledInside(String path, String other) {
        return path.equals(other) || path.startsWith(other.endsWith("/") ? other : other + "/");
    }
}
