package io.glm4j.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version from the jar manifest (or "dev" when run from classes). */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"glm4j " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
