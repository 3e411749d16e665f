package dev.pgagent.context.internal;

import dev.pgagent.api.schema.ColumnInfo;
import dev.pgagent.api.schema.EnumType;
import dev.pgagent.api.schema.ForeignKey;
import dev.pgagent.api.schema.SchemaModel;
import dev.pgagent.api.schema.TableInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An inverted index over one {@link SchemaModel}: for every term of schema names, table names, comments, column
 * names and enum labels, the tables holding it and how strongly (a match in a table name counts more than one in a
 * column comment). Also the foreign-key graph (undirected) and the per-column terms used to rank columns. Built once
 * per schema; immutable and thread-safe afterwards.
 */
public final class SchemaIndex {
    static final int F_SCHEMA = 0;
    static final int F_TABLE = 1;
    static final int F_TABLE_COMMENT = 2;
    static final int F_COLUMN = 3;
    static final int F_COLUMN_COMMENT = 4;
    static final int F_VALUE = 5;
    static final int F_FK_COLUMN = 6;
    private static final double RELATED_WEIGHT = 0.4;
    private static final double IMPLIED_WEIGHT = 0.6;
    /** How much a part of a compound identifier counts, relative to a whole word. */
    private static final float PART_FACTOR = 0.8f;

    private static final int MIN_PART = 3;
    private static final int MAX_COMPOUND = 40;
    private static final double CHANGE_LOG_FACTOR = 0.5;
    private static final float[] FIELD_WEIGHT = {1.6f, 3.0f, 1.0f, 1.3f, 0.5f, 0.7f, 0.6f};

    /** Words that mark a table as a leftover (old copy, backup, staging), unless the question uses them. */
    private static final Set<String> NOISE = Set.of(
            "legacy",
            "old",
            "bak",
            "backup",
            "archive",
            "archiv",
            "temporary",
            "deprecat",
            "staging",
            "stag",
            "stg",
            "raw",
            "copy",
            "test",
            "snapshot",
            "obsolet",
            "import",
            "migrat",
            "unused",
            "scratch",
            "dump");

    private static final Set<String> CATEGORICAL = Set.of(
            "status",
            "type",
            "kind",
            "category",
            "state",
            "country",
            "city",
            "region",
            "level",
            "tier",
            "plan",
            "channel",
            "method",
            "source",
            "segment",
            "gender",
            "role",
            "priority",
            "currency",
            "language",
            "stage",
            "code",
            "reason",
            "mode",
            "class",
            "grade",
            "rating",
            "severity",
            "unit",
            "brand",
            "color",
            "colour",
            "size",
            "industry",
            "sector",
            "outcome",
            "result",
            "specialty",
            "title",
            "carrier",
            "department");

    /** Column words that mark personal data or free text: never sampled for values. */
    private static final Set<String> UNSAMPLED = Set.of(
            "email",
            "mail",
            "phone",
            "mobile",
            "fax",
            "name",
            "street",
            "address",
            "addr",
            "ssn",
            "passport",
            "password",
            "pwd",
            "secret",
            "token",
            "key",
            "hash",
            "salt",
            "iban",
            "card",
            "pan",
            "cvv",
            "birth",
            "dob",
            "ip",
            "salary",
            "license",
            "licence",
            "note",
            "notes",
            "comment",
            "comments",
            "body",
            "description",
            "message",
            "text",
            "url",
            "uri",
            "content",
            "payload",
            "json",
            "html",
            "signature",
            "tax",
            "vat",
            "number",
            "zip",
            "postal",
            "postcode",
            "latitude",
            "longitude",
            "lat",
            "lon",
            "lng",
            "user",
            "agent",
            "reference");

    private static final Set<String> NAME_WORDS = Set.of("name", "title", "email", "label", "subject");

    private final SchemaModel schema;
    private final TableInfo[] tables;
    private final Map<String, Integer> idByName = new HashMap<>();
    private final int[][] neighbours;
    private final Map<String, EnumType> enumsByType = new HashMap<>();
    private final Map<String, int[]> postingTables = new HashMap<>();
    private final Map<String, float[]> postingWeights = new HashMap<>();
    private final String[][] tableNameTerms;
    private final boolean[] noisy;
    private final List<Set<String>> noiseTermsOf;
    private final List<Set<String>> ownTermsOf;
    private final ColumnTerms[][] columnTerms;
    private final boolean[] named;
    private final boolean[] dated;
    private final boolean[] person;
    private final boolean[] changeLog;
    private final String[] vocabulary;
    private final int[] schemaOf;
    private final int[] appOf;
    private final String[] schemaNames;
    private final Set<String> dictionary;
    /** Compound words split while indexing; only used by the constructor. */
    private final Map<String, Optional<List<String>>> splits = new HashMap<>();

    private final int vocabularyMaxLength;
    private final PrefixTrie prefixes;
    private final double logN;

    /** Terms of one column with their weights (name, comment, known values). */
    record ColumnTerms(
            Map<String, Float> terms,
            Set<String> valueTerms,
            boolean textLike,
            boolean categorical,
            boolean sampleable) {}

    private SchemaIndex(SchemaModel schema) {
        this.schema = schema;
        this.tables = schema.tables().toArray(new TableInfo[0]);
        int n = tables.length;
        for (EnumType e : schema.enums()) {
            enumsByType.put(e.qualifiedName().toLowerCase(Locale.ROOT), e);
            enumsByType.putIfAbsent(e.name().toLowerCase(Locale.ROOT), e);
            enumsByType.put("\"" + e.schema() + "\".\"" + e.name() + "\"", e);
        }
        for (int i = 0; i < n; i++) {
            idByName.put(tables[i].qualifiedName().toLowerCase(Locale.ROOT), i);
        }
        this.neighbours = buildGraph();
        this.tableNameTerms = new String[n][];
        this.noisy = new boolean[n];
        this.noiseTermsOf = new ArrayList<>(n);
        this.ownTermsOf = new ArrayList<>(n);
        this.columnTerms = new ColumnTerms[n][];
        this.named = new boolean[n];
        this.dated = new boolean[n];
        this.person = new boolean[n];
        this.changeLog = new boolean[n];
        this.dictionary = dictionary(schema);
        this.schemaOf = new int[n];
        Map<String, Integer> schemaIds = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Integer sid = schemaIds.get(tables[i].schema());
            if (sid == null) {
                sid = schemaIds.size();
                schemaIds.put(tables[i].schema(), sid);
            }
            schemaOf[i] = sid;
        }
        this.schemaNames = schemaIds.keySet().toArray(new String[0]);
        // Schemas joined by foreign keys are modules of one application; unjoined schemas are applications of
        // their own (one database holding many applications, each in its schema).
        int[] parent = new int[schemaNames.length];
        for (int k = 0; k < parent.length; k++) {
            parent[k] = k;
        }
        for (int i = 0; i < n; i++) {
            for (int j : neighbours[i]) {
                int a = root(parent, schemaOf[i]);
                int b = root(parent, schemaOf[j]);
                if (a != b) {
                    parent[Math.max(a, b)] = Math.min(a, b);
                }
            }
        }
        this.appOf = new int[n];
        for (int i = 0; i < n; i++) {
            appOf[i] = root(parent, schemaOf[i]);
        }
        Map<String, IntFloatList> lists = new HashMap<>();
        for (int i = 0; i < n; i++) {
            TableInfo t = tables[i];
            Map<String, Float> best = new HashMap<>();
            add(best, identifierTerms(t.schema()), F_SCHEMA);
            add(best, compoundParts(t.schema()), F_SCHEMA, PART_FACTOR);
            List<String> nameTerms = identifierTerms(t.name());
            List<String> nameParts = compoundParts(t.name());
            tableNameTerms[i] = coverageTerms(t.name()).toArray(new String[0]);
            add(best, nameTerms, F_TABLE);
            add(best, nameParts, F_TABLE, PART_FACTOR);
            if (t.comment() != null) {
                add(best, textTerms(t.comment()), F_TABLE_COMMENT);
            }
            Set<String> noise = new HashSet<>();
            for (String term : identifierTerms(t.schema())) {
                if (NOISE.contains(term)) {
                    noise.add(term);
                }
            }
            for (String term : nameTerms) {
                if (NOISE.contains(term)) {
                    noise.add(term);
                }
            }
            noisy[i] = !noise.isEmpty();
            noiseTermsOf.add(noise);
            Set<String> fkColumns = new HashSet<>();
            for (ForeignKey fk : t.foreignKeys()) {
                fkColumns.addAll(fk.columns());
            }
            Set<String> ownTerms = new HashSet<>(nameTerms);
            ownTerms.addAll(identifierTerms(t.schema()));
            if (t.comment() != null) {
                ownTerms.addAll(textTerms(t.comment()));
            }
            ownTermsOf.add(ownTerms);
            ColumnTerms[] cts = new ColumnTerms[t.columns().size()];
            for (int c = 0; c < cts.length; c++) {
                ColumnInfo col = t.columns().get(c);
                dated[i] |= isTemporal(col.type());
                Map<String, Float> ct = new HashMap<>();
                List<String> colName = identifierTerms(col.name());
                List<String> colParts = compoundParts(col.name());
                // A foreign-key column names the table it points to; it says less about this table.
                int field = fkColumns.contains(col.name()) ? F_FK_COLUMN : F_COLUMN;
                add(best, colName, field);
                add(best, colParts, field, PART_FACTOR);
                addLocal(ct, colName, 1.0f);
                addLocal(ct, colParts, PART_FACTOR);
                if (col.comment() != null) {
                    List<String> ctTerms = textTerms(col.comment());
                    add(best, ctTerms, F_COLUMN_COMMENT);
                    addLocal(ct, ctTerms, 0.4f);
                }
                Set<String> valueTerms = new HashSet<>();
                EnumType e = enumOf(col);
                if (e != null) {
                    for (String label : e.labels()) {
                        List<String> lt = textTerms(label);
                        valueTerms.addAll(lt);
                        add(best, lt, F_VALUE);
                    }
                }
                boolean categorical = false;
                boolean sampleable = true;
                List<String> colWords = TextAnalyzer.words(col.name());
                person[i] |= isPersonName(colWords) && !fkColumns.contains(col.name());
                for (String w : colWords) {
                    sampleable &= !UNSAMPLED.contains(w);
                    categorical |= CATEGORICAL.contains(w);
                    named[i] |= NAME_WORDS.contains(w) && !fkColumns.contains(col.name());
                }
                cts[c] = new ColumnTerms(ct, valueTerms, e != null || isText(col.type()), categorical, sampleable);
            }
            columnTerms[i] = cts;
            changeLog[i] = isChangeLog(t);
            for (Map.Entry<String, Float> en : best.entrySet()) {
                lists.computeIfAbsent(en.getKey(), k -> new IntFloatList()).add(i, en.getValue());
            }
        }
        for (Map.Entry<String, IntFloatList> en : lists.entrySet()) {
            postingTables.put(en.getKey(), en.getValue().ints());
            postingWeights.put(en.getKey(), en.getValue().floats());
        }
        this.vocabulary = new TreeSet<>(postingTables.keySet()).toArray(new String[0]);
        int longest = 0;
        List<String> prefixTerms = new ArrayList<>();
        for (String v : vocabulary) {
            longest = Math.max(longest, v.length());
            if (v.length() >= 4 && Character.isLetter(v.charAt(0))) {
                prefixTerms.add(v);
            }
        }
        this.vocabularyMaxLength = longest;
        this.prefixes = new PrefixTrie(prefixTerms, Integer.MAX_VALUE);
        this.logN = Math.log(n + 1.0);
        termCache.clear();
        partCache.clear();
        coverageCache.clear();
        textCache.clear();
        splits.clear();
    }

    private static int root(int[] parent, int k) {
        while (parent[k] != k) {
            parent[k] = parent[parent[k]];
            k = parent[k];
        }
        return k;
    }

    /** Builds the index of {@code schema}. */
    public static SchemaIndex of(SchemaModel schema) {
        return new SchemaIndex(schema);
    }

    /** Returns the schema this index was built from. */
    public SchemaModel schema() {
        return schema;
    }

    /** Returns the number of tables. */
    public int size() {
        return tables.length;
    }

    /** Returns table {@code id}. */
    public TableInfo table(int id) {
        return tables[id];
    }

    /** Returns the id of the table named {@code schema.name} (case-insensitive), or -1. */
    public int id(String qualifiedName) {
        Integer id = idByName.get(qualifiedName.toLowerCase(Locale.ROOT));
        return id == null ? -1 : id;
    }

    /** Returns the ids of the tables linked to {@code id} by a foreign key, in either direction. */
    public int[] neighbours(int id) {
        return neighbours[id];
    }

    /** Returns the enum type of a column, or null when its type is not an enum. */
    public @Nullable EnumType enumOf(ColumnInfo column) {
        String type = column.type().toLowerCase(Locale.ROOT);
        if (type.endsWith("[]")) {
            return null;
        }
        return enumsByType.get(type);
    }

    /** Returns whether a column of this type holds text (so its values can be sampled). */
    public static boolean isText(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.equals("text")
                || t.startsWith("character varying")
                || t.startsWith("varchar")
                || t.startsWith("character(")
                || t.equals("character")
                || t.startsWith("char")
                || t.equals("citext")
                || t.equals("name");
    }

    private int[][] buildGraph() {
        List<Set<Integer>> adj = new ArrayList<>(tables.length);
        for (int i = 0; i < tables.length; i++) {
            adj.add(new LinkedHashSet<>());
        }
        for (int i = 0; i < tables.length; i++) {
            for (ForeignKey fk : tables[i].foreignKeys()) {
                Integer j = idByName.get(fk.referencedQualifiedName().toLowerCase(Locale.ROOT));
                if (j != null && j != i) {
                    adj.get(i).add(j);
                    adj.get(j).add(i);
                }
            }
        }
        int[][] out = new int[tables.length][];
        for (int i = 0; i < tables.length; i++) {
            out[i] = adj.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    // Identifiers and comments repeat (the same column in many tables, copies of a schema): analyse each once.
    private final Map<String, List<String>> termCache = new HashMap<>();
    private final Map<String, List<String>> partCache = new HashMap<>();
    private final Map<String, List<String>> coverageCache = new HashMap<>();
    private final Map<String, List<String>> textCache = new HashMap<>();

    private List<String> identifierTerms(String identifier) {
        return termCache.computeIfAbsent(identifier, SchemaIndex::identifierTermsUncached);
    }

    private List<String> compoundParts(String identifier) {
        return partCache.computeIfAbsent(identifier, this::compoundPartsUncached);
    }

    private List<String> coverageTerms(String identifier) {
        return coverageCache.computeIfAbsent(identifier, this::coverageTermsUncached);
    }

    private List<String> textTerms(String text) {
        return textCache.computeIfAbsent(text, TextAnalyzer::terms);
    }

    private static List<String> identifierTermsUncached(String identifier) {
        List<String> words = TextAnalyzer.words(identifier);
        List<String> out = new ArrayList<>();
        for (String w : words) {
            TextAnalyzer.addTerms(w, out);
            String joined = TextAnalyzer.joinedExpansion(w);
            if (joined != null) {
                out.add(joined); // fname: first, name and firstname, like first_name
            }
        }
        // Compounds written apart in the schema and together in a question ("head_count" / "headcount").
        for (int k = 0; k + 1 < words.size(); k++) {
            String joined = words.get(k) + words.get(k + 1);
            if (joined.length() >= 6 && Character.isLetter(joined.charAt(0))) {
                out.add(TextAnalyzer.stem(joined));
            }
        }
        return out;
    }

    private static void add(Map<String, Float> best, List<String> terms, int field) {
        add(best, terms, field, 1.0f);
    }

    private static void add(Map<String, Float> best, List<String> terms, int field, float factor) {
        float w = FIELD_WEIGHT[field] * factor;
        for (String t : terms) {
            best.merge(t, w, Math::max);
        }
    }

    /**
     * Returns the words of every identifier, comment and enum label of the schema (and their stems), the words a
     * compound identifier may be made of.
     */
    private static Set<String> dictionary(SchemaModel schema) {
        Set<String> out = new HashSet<>();
        Set<String> texts = new HashSet<>();
        for (TableInfo t : schema.tables()) {
            texts.add(t.schema());
            texts.add(t.name());
            texts.add(t.comment() == null ? "" : t.comment());
            for (ColumnInfo c : t.columns()) {
                texts.add(c.name());
                texts.add(c.comment() == null ? "" : c.comment());
            }
        }
        for (EnumType e : schema.enums()) {
            texts.addAll(e.labels());
        }
        for (String text : texts) {
            for (String w : TextAnalyzer.words(text)) {
                if (w.length() >= MIN_PART && w.length() <= MAX_COMPOUND) {
                    out.add(w);
                    out.add(TextAnalyzer.stem(w));
                }
            }
        }
        return out;
    }

    /**
     * Returns the terms of the parts of compound words of an identifier ({@code countrylanguage} is country and
     * language, {@code gasstations} gas and stations) when every part is a word the schema uses elsewhere.
     */
    private List<String> compoundPartsUncached(String identifier) {
        List<String> out = new ArrayList<>();
        for (String w : TextAnalyzer.words(identifier)) {
            List<String> parts = split(w, 3);
            if (parts != null) {
                for (String p : parts) {
                    TextAnalyzer.addTerms(p, out);
                }
            }
        }
        return out;
    }

    /** Returns the terms of a table's name for coverage: compound words stand for their parts. */
    private List<String> coverageTermsUncached(String identifier) {
        List<String> out = new ArrayList<>();
        for (String w : TextAnalyzer.words(identifier)) {
            List<String> parts = split(w, 3);
            for (String p : parts == null ? List.of(w) : parts) {
                TextAnalyzer.addTerms(p, out);
            }
        }
        return out;
    }

    /**
     * Splits a word into at most {@code maxParts} dictionary words of at least {@value #MIN_PART} letters each,
     * preferring the split whose shortest part is longest; null when there is none.
     */
    private @Nullable List<String> split(String w, int maxParts) {
        if (maxParts == 3) {
            // Identifiers repeat (the same column in many tables): split each word once.
            return splits.computeIfAbsent(w, k -> Optional.ofNullable(splitUncached(k, 3)))
                    .orElse(null);
        }
        return splitUncached(w, maxParts);
    }

    private @Nullable List<String> splitUncached(String w, int maxParts) {
        if (w.length() < 2 * MIN_PART || w.length() > MAX_COMPOUND || maxParts < 2) {
            return null;
        }
        for (int i = 0; i < w.length(); i++) {
            if (!Character.isLetter(w.charAt(i))) {
                return null;
            }
        }
        List<String> best = null;
        int bestShortest = 0;
        for (int i = MIN_PART; i <= w.length() - MIN_PART; i++) {
            String head = w.substring(0, i);
            if (!known(head)) {
                continue;
            }
            String tail = w.substring(i);
            List<String> candidate = null;
            if (known(tail)) {
                candidate = List.of(head, tail);
            } else {
                List<String> rest = split(tail, maxParts - 1);
                if (rest != null) {
                    candidate = new ArrayList<>();
                    candidate.add(head);
                    candidate.addAll(rest);
                }
            }
            if (candidate != null) {
                int shortest = Integer.MAX_VALUE;
                for (String p : candidate) {
                    shortest = Math.min(shortest, p.length());
                }
                if (shortest > bestShortest) {
                    best = candidate;
                    bestShortest = shortest;
                }
            }
        }
        return best;
    }

    private boolean known(String part) {
        return dictionary.contains(part) && !TextAnalyzer.isStopword(part);
    }

    private static void addLocal(Map<String, Float> map, List<String> terms, float w) {
        for (String t : terms) {
            map.merge(t, w, Math::max);
        }
    }

    /** Returns the inverse document frequency of a term over tables; 0 for unknown terms. */
    public double idf(String term) {
        int[] p = postingTables.get(term);
        if (p == null) {
            return 0;
        }
        return Math.max(0.05, logN - Math.log(p.length + 0.5));
    }

    /**
     * Analyses a question into words, each with the index terms it may match. Takes time linear in the length of
     * the question whatever its words: each distinct word is analysed once, prefix matches read at most as many
     * characters as the longest schema term, and the scan for longer schema terms stops after a fixed number.
     */
    public Query analyze(String question) {
        long[] steps = {0};
        List<String> raw = TextAnalyzer.words(question);
        steps[0] += question.length();
        List<Map<String, Double>> words = new ArrayList<>();
        Map<String, Double> all = new HashMap<>();
        Set<String> direct = new HashSet<>();
        Map<String, Map<String, Double>> analysed = new HashMap<>();
        for (int k = 0; k < raw.size(); k++) {
            String w = raw.get(k);
            if (isOrderingWord(raw, k)) {
                continue; // "ordered by age", "in descending order": how to sort, not what to read
            }
            if (isCountingWord(raw, k)) {
                continue; // "the number of students": a count, not a number column
            }
            List<String> terms = new ArrayList<>();
            List<String> expansion = TextAnalyzer.expansion(w);
            String abbreviated = null;
            if (expansion.size() == 1 && !TextAnalyzer.isStopword(w)) {
                // In a question an abbreviation is often a word too ("a cat", "the ship"): both count.
                terms.add(TextAnalyzer.stem(w));
                abbreviated = expansion.get(0);
            } else {
                TextAnalyzer.addTerms(w, terms);
            }
            if (w.equals("old") && k > 0 && AGE_UNITS.contains(raw.get(k - 1)) && !analysed.containsKey("age")) {
                // "3 years old": an age.
                Map<String, Double> alts = new LinkedHashMap<>();
                alts.put("age", 1.0);
                analysed.put("age", alts);
                words.add(alts);
                continue;
            }
            if (isYear(w) && !analysed.containsKey("year")) {
                // "in 2013": a year or a date column, whatever the question calls it.
                Map<String, Double> alts = new LinkedHashMap<>();
                alts.put("year", YEAR_WEIGHT);
                alts.put("date", YEAR_WEIGHT);
                analysed.put("year", alts);
                words.add(alts);
            }
            steps[0] += 2L * w.length();
            for (String t : terms) {
                steps[0] += t.length();
                if (analysed.containsKey(t)) {
                    continue; // a question naming "orders" twice counts it once
                }
                direct.add(t);
                Map<String, Double> alts = new LinkedHashMap<>();
                alts.put(t, 1.0);
                for (String s : Thesaurus.synonyms(t)) {
                    alts.merge(s, 0.6, Math::max);
                }
                for (String s : Thesaurus.implied(t)) {
                    alts.merge(s, IMPLIED_WEIGHT, Math::max);
                }
                for (String s : Thesaurus.related(t)) {
                    alts.merge(s, RELATED_WEIGHT, Math::max);
                }
                if (abbreviated != null) {
                    direct.add(abbreviated);
                    double aw = EVERYDAY_WORDS.contains(w) ? RELATED_WEIGHT : ABBREVIATION_WEIGHT;
                    alts.merge(abbreviated, aw, Math::max);
                    for (String x : Thesaurus.synonyms(abbreviated)) {
                        alts.merge(x, 0.6 * aw, Math::max);
                    }
                }
                addPrefixMatches(t, alts, steps);
                analysed.put(t, alts);
                words.add(alts);
            }
        }
        // Compounds written together in the schema and apart in the question ("time off" / "timeoff").
        for (int k = 0; k + 1 < raw.size(); k++) {
            String first = raw.get(k);
            String second = raw.get(k + 1);
            steps[0] += first.length() + second.length();
            if (first.length() + second.length() > vocabularyMaxLength + 4) {
                continue; // longer than any schema term, even before stemming
            }
            String joined = TextAnalyzer.stem(first + second);
            if (postingTables.containsKey(joined) && !direct.contains(joined)) {
                Map<String, Double> alts = new LinkedHashMap<>();
                alts.put(joined, 1.0);
                words.add(alts);
                direct.add(joined);
            }
        }
        for (Map<String, Double> alts : words) {
            alts.forEach((k, v) -> all.merge(k, v, Math::max));
        }
        return new Query(words, all, direct, new HashSet<>(raw), steps[0]);
    }

    private static final double YEAR_WEIGHT = 0.4;
    private static final double ABBREVIATION_WEIGHT = 0.9;
    /** Abbreviations in schemas that in a question are usually the everyday word ("a cat" is not a category). */
    private static final Set<String> EVERYDAY_WORDS = Set.of("cat");

    private static final Set<String> AGE_UNITS =
            Set.of("year", "years", "month", "months", "week", "weeks", "day", "days");

    /** Returns whether {@code raw[k]} counts rather than names ("the number of", "count the"). */
    private static boolean isCountingWord(List<String> raw, int k) {
        String w = raw.get(k);
        boolean nextOf = k + 1 < raw.size() && raw.get(k + 1).equals("of");
        return w.equals("number") && nextOf
                || w.equals("total")
                        && k + 2 < raw.size()
                        && raw.get(k + 1).equals("number")
                        && raw.get(k + 2).equals("of")
                || w.equals("count") && (k == 0 || nextOf);
    }

    private static final Set<String> SORT_WORDS = Set.of("order", "ordered", "sort", "sorted", "rank", "ranked");
    private static final Set<String> SORT_KINDS = Set.of(
            "descending",
            "ascending",
            "alphabetical",
            "alphabetic",
            "alphabetically",
            "reverse",
            "increasing",
            "decreasing",
            "chronological",
            "lexicographical",
            "lexicographic",
            "numerical",
            "numeric",
            "desc",
            "asc");

    /** Returns whether {@code raw[k]} asks how to sort ("ordered by", "sorted by", "in descending order"). */
    private static boolean isOrderingWord(List<String> raw, int k) {
        if (!SORT_WORDS.contains(raw.get(k))) {
            return false;
        }
        return k + 1 < raw.size() && raw.get(k + 1).equals("by")
                || k > 0 && SORT_KINDS.contains(raw.get(k - 1))
                || k > 1 && SORT_KINDS.contains(raw.get(k - 2));
    }

    /** Returns whether a word is a year between 1800 and 2099. */
    private static boolean isYear(String w) {
        if (w.length() != 4 || !(w.startsWith("18") || w.startsWith("19") || w.startsWith("20"))) {
            return false;
        }
        return Character.isDigit(w.charAt(2)) && Character.isDigit(w.charAt(3));
    }

    /** The most schema terms that start with a question word that are looked at (not all of them match). */
    private static final int MAX_PREFIX_SCAN = 64;

    private void addPrefixMatches(String t, Map<String, Double> alts, long[] steps) {
        if (t.length() < 4 || !Character.isLetter(t.charAt(0))) {
            return;
        }
        if (t.length() <= vocabularyMaxLength) {
            // Schema terms that extend the question's word ("ship" vs "shipment").
            int from = Arrays.binarySearch(vocabulary, t);
            steps[0] += (long) t.length() * (32 - Integer.numberOfLeadingZeros(vocabulary.length + 1));
            if (from < 0) {
                from = -from - 1;
            }
            int added = 0;
            for (int k = from; k < vocabulary.length && added < 8 && k - from < MAX_PREFIX_SCAN; k++) {
                String v = vocabulary[k];
                steps[0] += t.length();
                if (!v.startsWith(t)) {
                    break;
                }
                if (!v.equals(t) && v.length() <= t.length() + 6) {
                    alts.merge(v, 0.5, Math::max);
                    added++;
                }
            }
        }
        if (t.length() >= 6 && !postingTables.containsKey(t)) {
            // The question's word extends a schema word ("shipments" vs "ship", "reviewer" vs "review").
            int len = prefixes.longestProperPrefix(t, 4, steps);
            if (len > 0) {
                alts.merge(t.substring(0, len), 0.5, Math::max);
            }
        }
    }

    /**
     * Scores every table for the question: for each question word, the best (idf x word weight x field weight)
     * match in the table, summed over words; then a bonus for covering the table's name, a penalty for leftover
     * tables (legacy, backup, staging copies) the question does not ask for, and a small boost from foreign-key
     * neighbours that match too.
     *
     * @return one score a table (0 for no match), indexed by table id
     */
    public double[] scoreTables(Query query) {
        int n = tables.length;
        double[] score = new double[n];
        if (query.isEmpty() || n == 0) {
            return score;
        }
        double[] wordBest = new double[n];
        int[] touchedWord = new int[n];
        int touchedCount;
        boolean[] touched = new boolean[n];
        List<Integer> touchedAll = new ArrayList<>();
        double[] appCoverage = new double[schemaNames.length];
        double[] appWordBest = new double[schemaNames.length];
        int[] touchedApps = new int[schemaNames.length];
        for (Map<String, Double> alts : query.words()) {
            touchedCount = 0;
            for (Map.Entry<String, Double> alt : alts.entrySet()) {
                int[] ids = postingTables.get(alt.getKey());
                if (ids == null) {
                    continue;
                }
                float[] ws = postingWeights.get(alt.getKey());
                double f = idf(alt.getKey()) * alt.getValue();
                for (int k = 0; k < ids.length; k++) {
                    int id = ids[k];
                    double v = f * ws[k];
                    if (wordBest[id] == 0) {
                        touchedWord[touchedCount++] = id;
                    }
                    if (v > wordBest[id]) {
                        wordBest[id] = v;
                    }
                }
            }
            int appsTouched = 0;
            for (int k = 0; k < touchedCount; k++) {
                int id = touchedWord[k];
                int sid = appOf[id];
                if (appWordBest[sid] == 0) {
                    touchedApps[appsTouched++] = sid;
                }
                appWordBest[sid] = Math.max(appWordBest[sid], wordBest[id]);
                score[id] += wordBest[id];
                wordBest[id] = 0;
                if (!touched[id]) {
                    touched[id] = true;
                    touchedAll.add(id);
                }
            }
            for (int k = 0; k < appsTouched; k++) {
                int sid = touchedApps[k];
                appCoverage[sid] += appWordBest[sid];
                appWordBest[sid] = 0;
            }
        }
        for (int id : touchedAll) {
            String[] nameTerms = tableNameTerms[id];
            if (nameTerms.length > 0) {
                int matched = 0;
                double matchedIdf = 0;
                int counted = 0;
                for (String nt : nameTerms) {
                    if (NOISE.contains(nt)) {
                        continue;
                    }
                    counted++;
                    double w = query.weight(nt);
                    if (w > 0) {
                        matched++;
                        matchedIdf += idf(nt) * w;
                    }
                }
                if (counted > 0 && matched > 0) {
                    double coverage = (double) matched / counted;
                    score[id] += coverage * coverage * matchedIdf;
                }
            }
            if (noisy[id]) {
                // Asked for when the question uses a leftover word the table's name, schema or comment has.
                boolean asked = false;
                for (String t : query.directTerms()) {
                    asked |= NOISE.contains(t) && ownTermsOf.get(id).contains(t);
                }
                if (!asked) {
                    score[id] *= 0.4;
                }
            }
        }
        boolean asksForChanges = false;
        for (String w : query.rawWords()) {
            asksForChanges |= CHANGE_WORDS.contains(w);
        }
        if (!asksForChanges) {
            for (int id : touchedAll) {
                if (changeLog[id]) {
                    score[id] *= CHANGE_LOG_FACTOR;
                }
            }
        }
        // The application as a unit: how much of the question the tables of each schema answer together.
        double bestCoverage = 0;
        for (double c : appCoverage) {
            bestCoverage = Math.max(bestCoverage, c);
        }
        for (int id : touchedAll) {
            // A table of the application that answers most of the question stays; its look-alikes in applications
            // that answer less lose in proportion (one factor an application: its tables keep their order).
            score[id] *= appCoverage[appOf[id]] / bestCoverage;
        }
        double[] boosted = score.clone();
        for (int id : touchedAll) {
            double bestNeighbour = 0;
            for (int nb : neighbours[id]) {
                bestNeighbour = Math.max(bestNeighbour, Math.min(score[nb], score[id]));
            }
            boosted[id] += 0.25 * bestNeighbour;
        }
        return boosted;
    }

    /**
     * Scores the columns of table {@code id} for the question.
     *
     * @return one score a column, in column order
     */
    public double[] scoreColumns(int id, Query query) {
        ColumnTerms[] cts = columnTerms[id];
        double[] out = new double[cts.length];
        for (int c = 0; c < cts.length; c++) {
            double s = 0;
            for (Map.Entry<String, Float> e : cts[c].terms().entrySet()) {
                double w = query.weight(e.getKey());
                if (w > 0) {
                    s += w * e.getValue() * idf(e.getKey());
                }
            }
            for (String v : cts[c].valueTerms()) {
                if (query.directTerms().contains(v)) {
                    s += 0.5 * idf(v);
                }
            }
            out[c] = s;
        }
        return out;
    }

    private static final Set<String> BEFORE_AFTER = Set.of("old", "new", "previous", "prev", "before", "after");
    private static final Set<String> ROW_IMAGE = Set.of("value", "values", "data", "row", "record", "state", "json");
    private static final Set<String> CHANGE_KIND = Set.of("operation", "op", "action", "change");
    private static final Set<String> CHANGE_STAMP = Set.of("changed", "modified", "logged", "audited");
    /** Question words that ask for a change log. */
    private static final Set<String> CHANGE_WORDS = Set.of(
            "history",
            "histories",
            "change",
            "changes",
            "changed",
            "log",
            "logs",
            "logged",
            "audit",
            "audited",
            "revision",
            "revisions",
            "version",
            "versions",
            "previous",
            "previously",
            "former",
            "formerly",
            "trail",
            "modified",
            "edited",
            "edit",
            "edits");

    /**
     * Returns whether a table looks like a change log written by a trigger: old and new row images, or a kind of
     * operation with a change stamp ({@code operation}, {@code changed_at}).
     */
    private static boolean isChangeLog(TableInfo t) {
        int images = 0;
        boolean kind = false;
        boolean stamp = false;
        for (ColumnInfo col : t.columns()) {
            List<String> w = TextAnalyzer.words(col.name());
            boolean beforeAfter = false;
            boolean image = false;
            for (String x : w) {
                beforeAfter |= BEFORE_AFTER.contains(x);
                image |= ROW_IMAGE.contains(x);
                kind |= CHANGE_KIND.contains(x) && w.size() <= 2;
                stamp |= CHANGE_STAMP.contains(x);
            }
            if (beforeAfter && image) {
                images++;
            }
        }
        return images >= 2 || kind && stamp;
    }

    private static final Set<String> PERSON_NAME_PARTS =
            Set.of("first", "last", "full", "given", "family", "middle", "display", "sur", "nick", "maiden");

    /** Returns whether a column's words name a person (first_name, lastName, full_name, surname, email). */
    private static boolean isPersonName(List<String> words) {
        for (int k = 0; k < words.size(); k++) {
            String w = words.get(k);
            if (w.equals("surname")
                    || w.equals("firstname")
                    || w.equals("lastname")
                    || w.equals("fullname")
                    || w.equals("email")) {
                return true;
            }
            if (w.equals("name") && k > 0 && PERSON_NAME_PARTS.contains(words.get(k - 1))) {
                return true;
            }
        }
        return false;
    }

    /** Returns whether table {@code id} looks like a change log (old and new row images, operation and stamp). */
    public boolean isChangeLog(int id) {
        return changeLog[id];
    }

    /** Returns whether table {@code id} describes people: it has a person-name or email column. */
    public boolean isPersonTable(int id) {
        return person[id];
    }

    /** Returns whether table {@code id} has a date or timestamp column. */
    public boolean hasDateColumn(int id) {
        return dated[id];
    }

    private static boolean isTemporal(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return t.equals("date") || t.startsWith("timestamp");
    }

    /** Returns whether table {@code id} has a column that names its rows (name, title, email, label, subject). */
    public boolean hasNameColumn(int id) {
        return named[id];
    }

    /** Returns whether column {@code c} of table {@code id} holds text or enum labels. */
    public boolean isTextLike(int id, int c) {
        return columnTerms[id][c].textLike();
    }

    /**
     * Returns whether values of column {@code c} of table {@code id} may be sampled: not personal data or free text
     * by its name (email, phone, name, address, password, note, description, ...).
     */
    public boolean isSampleable(int id, int c) {
        return columnTerms[id][c].sampleable();
    }

    /** Returns whether column {@code c} of table {@code id} is named like a category (status, type, country...). */
    public boolean isCategorical(int id, int c) {
        return columnTerms[id][c].categorical();
    }

    /**
     * Finds a shortest foreign-key path between two tables, preferring paths through higher-scored tables.
     *
     * @return the tables strictly between {@code from} and {@code to}, in order; null when no path of at most
     *     {@code maxHops} edges exists
     */
    public @Nullable List<Integer> path(int from, int to, int maxHops, double[] score) {
        if (from == to) {
            return List.of();
        }
        Map<Integer, Integer> dist = new HashMap<>();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        dist.put(to, 0);
        queue.add(to);
        while (!queue.isEmpty()) {
            int cur = queue.poll();
            int d = dist.get(cur);
            if (cur == from || d >= maxHops) {
                if (cur == from) {
                    break;
                }
                continue;
            }
            for (int nb : neighbours[cur]) {
                if (!dist.containsKey(nb)) {
                    dist.put(nb, d + 1);
                    queue.add(nb);
                }
            }
        }
        Integer total = dist.get(from);
        if (total == null) {
            return null;
        }
        List<Integer> inner = new ArrayList<>();
        int cur = from;
        for (int step = total; step > 1; step--) {
            int next = -1;
            for (int nb : neighbours[cur]) {
                Integer dn = dist.get(nb);
                if (dn != null && dn == step - 1 && (next < 0 || score[nb] > score[next])) {
                    next = nb;
                }
            }
            if (next < 0) {
                return null;
            }
            inner.add(next);
            cur = next;
        }
        return inner;
    }

    /** A growable list of (int, float) pairs. */
    private static final class IntFloatList {
        private int[] ints = new int[4];
        private float[] floats = new float[4];
        private int size;

        void add(int i, float f) {
            if (size == ints.length) {
                ints = Arrays.copyOf(ints, size * 2);
                floats = Arrays.copyOf(floats, size * 2);
            }
            ints[size] = i;
            floats[size] = f;
            size++;
        }

        int[] ints() {
            return Arrays.copyOf(ints, size);
        }

        float[] floats() {
            return Arrays.copyOf(floats, size);
        }
    }
}
