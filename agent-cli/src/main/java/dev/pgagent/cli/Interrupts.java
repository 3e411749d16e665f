package dev.pgagent.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs an action on Ctrl-C (SIGINT) instead of letting it end the program, while registered. Uses
 * {@code sun.misc.Signal} (module jdk.unsupported) by reflection, so that the build needs no internal API; where it
 * is missing, or the signal was ignored when the JVM started, nothing is registered and Ctrl-C keeps its default
 * (the program ends, running its shutdown hooks).
 */
final class Interrupts {
    private Interrupts() {}

    /** A registration; {@link #close()} restores the handler that was there before. */
    interface Registration extends AutoCloseable {
        /** Returns whether the handler is in place (false: Ctrl-C keeps its default). */
        boolean active();

        @Override
        void close();
    }

    /** Runs {@code action} on a signal-dispatch thread for each Ctrl-C until the registration is closed. */
    static Registration onInterrupt(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("INT");
            Object handler = Proxy.newProxyInstance(
                    Interrupts.class.getClassLoader(),
                    new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "Interrupts.handler";
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, signal, handler);
            return new Registration() {
                @Override
                public boolean active() {
                    return true;
                }

                @Override
                public void close() {
                    try {
                        handle.invoke(null, signal, previous);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // the handler stays; it only acts while an action is meaningful
                    }
                }
            };
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new Registration() {
                @Override
                public boolean active() {
                    return false;
                }

                @Override
                public void close() {}
            };
        }
    }
}
