package dev.pgagent.cli;

/** Sets slf4j-simple's level before the first logger is made: warnings only, or debug with --debug. */
final class Logging {
    private Logging() {}

    /** The logger of HikariCP, the client's connection pools. */
    private static final String HIKARI = "org.slf4j.simpleLogger.log.com.zaxxer.hikari";

    static void configure(boolean debug) {
        if (debug) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        } else if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        hikari(debug ? "debug" : "error");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }

    /** Sets the level and the file the configuration file names (before the first logger is made). */
    static void configure(String level, String file) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        hikari(level.equals("debug") || level.equals("trace") || level.equals("off") ? level : "error");
        System.setProperty("org.slf4j.simpleLogger.logFile", file);
    }

    /**
     * Keeps the pool's own log quiet below debug: its lifecycle lines and warnings (a busy machine's "clock leap")
     * say nothing a user can act on, and connection failures reach the user as the command's error.
     */
    private static void hikari(String level) {
        System.setProperty(HIKARI, level);
    }
}
