package dev.pgagent.cli;

/** Sets slf4j-simple's level before the first logger is made: warnings only, or debug with --debug. */
final class Logging {
    private Logging() {}

    static void configure(boolean debug) {
        if (debug) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        } else if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }

    /** Sets the level and the file the configuration file names (before the first logger is made). */
    static void configure(String level, String file) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", file);
    }
}
