package dev.pgagent.safety.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The built-in list of functions a model-issued statement must not call, and the matching of function names
 * against a policy's extra denials and exemptions. A pattern is a lower-case function name, optionally
 * schema-qualified, where {@code *} matches any run of characters.
 */
public final class FunctionRules {
    /** Server-side file access: guarded by {@code GuardedOperation.FILE_ACCESS}. */
    public static final Set<String> FILE_ACCESS = ordered(
            "pg_read_file",
            "pg_read_binary_file",
            "pg_ls_*",
            "pg_stat_file",
            "pg_file_*",
            "pg_logdir_ls",
            "pg_show_all_file_settings",
            "pg_hba_file_rules",
            "pg_ident_file_mappings",
            "lo_import",
            "lo_export");

    /** Everything else denied by default. */
    private static final Set<String> OTHER = ordered(
            // configuration and session state
            "set_config",
            "pg_reload_conf",
            "pg_rotate_logfile*",
            "pg_log_backend_memory_contexts",
            // sleeping and locking
            "pg_sleep*",
            "pg_advisory_*",
            "pg_try_advisory_*",
            // other sessions and the server
            "pg_terminate_backend",
            "pg_cancel_backend",
            "pg_promote",
            "pg_switch_wal",
            "pg_switch_xlog",
            "pg_backup_start",
            "pg_backup_stop",
            "pg_start_backup",
            "pg_stop_backup",
            "pg_create_restore_point",
            "pg_wal_replay_*",
            "pg_xlog_replay_*",
            "pg_checkpoint",
            // replication
            "pg_create_*",
            "pg_drop_replication_slot",
            "pg_copy_*_replication_slot",
            "pg_replication_slot_advance",
            "pg_replication_origin_*",
            "pg_logical_*",
            "pg_sync_replication_slots",
            "pg_log_standby_snapshot",
            // sequences and transaction ids
            "nextval",
            "setval",
            "txid_current",
            "pg_current_xact_id",
            "pg_export_snapshot",
            // notifications
            "pg_notify",
            // large objects (server-side storage)
            "lo_*",
            "loread",
            "lowrite",
            // other databases
            "dblink*",
            "postgres_fdw_*",
            // functions that run SQL given as text
            "query_to_xml*",
            "query_to_xmlschema",
            "table_to_xml*",
            "cursor_to_xml*",
            "database_to_xml*",
            "schema_to_xml*",
            "ts_stat",
            "ts_rewrite",
            "crosstab*",
            "connectby",
            "run_command_on_*",
            "*replicate_ddl_command",
            "xslt_process",
            // catalog and statistics writers
            "pg_import_system_collations",
            "pg_stat_reset*",
            "pg_stat_statements_reset",
            "pg_stat_force_next_flush",
            "pg_restore_relation_stats",
            "pg_restore_attribute_stats",
            "pg_clear_relation_stats",
            "pg_clear_attribute_stats",
            "pg_extension_config_dump",
            "binary_upgrade_*",
            "brin_summarize_*",
            "brin_desummarize_range",
            "gin_clean_pending_list",
            "pg_truncate_visibility_map",
            "pg_prewarm",
            "autoprewarm_*",
            "pg_nextoid",
            "pg_stop_making_pinned_objects",
            "pg_set_relation_stats",
            "pg_set_attribute_stats",
            // session state that outlives the statement
            "setseed",
            "hypopg_*",
            // common extensions: scheduled or background SQL, outbound requests, bulk export
            "cron.schedule*",
            "cron.unschedule",
            "cron.alter_job",
            "pg_background_*",
            "http",
            "http_*",
            "net.http_*",
            "aws_s3.query_export_to_s3",
            "aws_s3.table_import_from_s3");

    private static final Set<String> DEFAULT = concat(OTHER, FILE_ACCESS);

    private FunctionRules() {}

    private static Set<String> ordered(String... names) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
    }

    private static Set<String> concat(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return java.util.Collections.unmodifiableSet(all);
    }

    /** Returns the built-in deny list (patterns), file access functions included. */
    public static Set<String> defaults() {
        return DEFAULT;
    }

    /** How a called function is judged. */
    public enum Judgement {
        /** May be called. */
        ALLOWED,
        /** Denied. */
        DENIED,
        /** Server-side file access; denied unless the host opted in. */
        FILE_ACCESS
    }

    /**
     * Judges a call of {@code name} (folded as PostgreSQL would), optionally qualified with {@code schema}.
     *
     * @param denied the policy's extra denied patterns
     * @param allowed the policy's exempted patterns
     */
    public static Judgement judge(@Nullable String schema, String name, Set<String> denied, Set<String> allowed) {
        if (matchesAny(allowed, schema, name, true)) {
            return Judgement.ALLOWED;
        }
        if (matchesAny(FILE_ACCESS, schema, name, false)) {
            return Judgement.FILE_ACCESS;
        }
        if (matchesAny(OTHER, schema, name, false) || matchesAny(denied, schema, name, false)) {
            return Judgement.DENIED;
        }
        return Judgement.ALLOWED;
    }

    /**
     * Returns whether a call matches one of the patterns. An unqualified pattern matches the name in any schema. A
     * qualified pattern matches a call with the same schema; for denials ({@code strict == false}) it also matches
     * an unqualified call, which the search path may resolve to it; for exemptions it does not.
     */
    static boolean matchesAny(Set<String> patterns, @Nullable String schema, String name, boolean strict) {
        for (String p : patterns) {
            int dot = p.lastIndexOf('.');
            String pn = dot < 0 ? p : p.substring(dot + 1);
            String ps = dot < 0 ? null : p.substring(0, dot);
            if (!glob(pn, name)) {
                continue;
            }
            if (ps == null) {
                return true;
            }
            if (schema == null ? !strict : glob(ps, schema)) {
                return true;
            }
        }
        return false;
    }

    /** Matches {@code text} against {@code pattern} where {@code *} matches any run of characters. */
    static boolean glob(String pattern, String text) {
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(text);
        }
        List<String> parts = new ArrayList<>(List.of(pattern.split("\\*", -1)));
        int pos = 0;
        for (int k = 0; k < parts.size(); k++) {
            String part = parts.get(k);
            if (k == 0) {
                if (!text.startsWith(part)) {
                    return false;
                }
                pos = part.length();
            } else if (k == parts.size() - 1) {
                return text.length() - part.length() >= pos && text.endsWith(part);
            } else {
                int at = text.indexOf(part, pos);
                if (at < 0) {
                    return false;
                }
                pos = at + part.length();
            }
        }
        return true;
    }
}
