package dev.pgagent.context.internal;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small thesaurus of business-database vocabulary: groups of words people use for the same thing (a customer is
 * also a client or buyer; a salary is pay or compensation). Words are stored as stems, so lookups take stems.
 * Immutable and thread-safe.
 */
public final class Thesaurus {
    private static final String[][] GROUPS = {
        {"customer", "client", "buyer", "shopper", "purchaser", "consumer"},
        {"employee", "staff", "worker", "personnel", "colleague", "headcount"},
        {"order", "purchase", "buy", "bought"},
        {"product", "item", "article", "good", "merchandise", "sku"},
        {"salary", "pay", "wage", "compensation", "earning", "payroll", "paid"},
        {"invoice", "bill", "billing"},
        {"shipment", "delivery", "parcel", "package", "dispatch", "consignment"},
        {"vehicle", "truck", "van", "lorry", "fleet"},
        {"driver", "chauffeur"},
        {"doctor", "physician", "clinician", "practitioner", "provider"},
        {"patient"},
        {"student", "pupil", "learner"},
        {"teacher", "instructor", "lecturer", "faculty", "tutor"},
        {"course", "class", "subject", "module"},
        {"grade", "mark", "score", "result"},
        {"enrollment", "enrolment", "registration", "enrol", "enroll", "signup"},
        {"price", "cost", "fee", "rate", "tariff"},
        {"revenue", "income", "turnover", "earning", "sale"},
        {"supplier", "vendor", "provider", "seller"},
        {"warehouse", "depot", "storehouse", "distribution"},
        {"stock", "inventory", "onhand"},
        {"city", "town"},
        {"country", "nation"},
        {"address", "location", "street"},
        {"department", "division", "team", "unit"},
        {"manager", "supervisor", "boss", "lead"},
        {"hire", "hired", "join", "onboard", "start"},
        {"leave", "absence", "vacation", "holiday", "pto", "timeoff"},
        {"refund", "return", "reimbursement", "chargeback"},
        {"review", "rating", "feedback", "star"},
        {"subscription", "plan", "membership"},
        {"user", "member", "login", "account"},
        {"ticket", "case", "incident", "issue", "request"},
        {"deal", "opportunity", "pipeline"},
        {"lead", "prospect"},
        {"appointment", "visit", "booking", "consultation"},
        {"prescription", "medication", "drug", "medicine", "prescribe"},
        {"diagnosis", "condition", "disease", "illness"},
        {"transaction", "transfer", "posting", "movement"},
        {"payment", "pay", "paid", "settlement"},
        {"discount", "coupon", "voucher", "promo", "promotion"},
        {"category", "type", "kind", "class", "group"},
        {"quantity", "count", "amount", "number", "volume"},
        {"amount", "total", "sum", "value"},
        {"date", "day", "time", "when", "timestamp"},
        {"create", "created", "made", "placed", "opened", "registered", "signup"},
        {"email", "mail", "e-mail"},
        {"phone", "telephone", "mobile", "cell"},
        {"name", "title", "label"},
        {"description", "detail", "note", "text"},
        {"comment", "note", "remark"},
        {"company", "organization", "organisation", "firm", "business", "enterprise", "corporate"},
        {"contact", "person"},
        {"region", "territory", "area", "zone"},
        {"campaign", "marketing"},
        {"cart", "basket"},
        {"store", "shop", "branch", "outlet"},
        {"route", "trip", "journey", "itinerary"},
        {"carrier", "courier", "shipper"},
        {"bank", "banking"},
        {"loan", "credit", "lending", "mortgage"},
        {"balance", "fund"},
        {"expense", "expenditure", "spend", "spending", "outlay"},
        {"budget", "allocation"},
        {"contract", "agreement"},
        {"job", "position", "role", "vacancy", "opening"},
        {"applicant", "candidate"},
        {"attendance", "present", "absent", "presence"},
        {"schedule", "timetable", "calendar", "shift"},
        {"room", "classroom", "ward", "bed"},
        {"exam", "test", "assessment", "quiz"},
        {"assignment", "homework"},
        {"lab", "laboratory"},
        {"insurance", "insurer", "coverage", "policy"},
        {"claim"},
        {"allergy", "allergic"},
        {"vital", "temperature", "pulse", "pressure"},
        {"log", "history", "audit", "trail"},
        {"event", "activity", "action"},
        {"session", "visit"},
        {"page", "screen", "view"},
        {"device", "hardware", "equipment", "asset"},
        {"maintenance", "repair", "service"},
        {"fuel", "gas", "diesel", "petrol"},
        {"tax", "vat"},
        {"currency", "money"},
        {"exchange", "fx", "conversion"},
        {"portfolio", "holding", "position"},
        {"trade", "execution", "fill"},
        {"security", "instrument", "stock", "share", "equity", "ticker", "symbol"},
        {"dividend", "payout"},
        {"usage", "consumption", "metered", "meter"},
        {"churn", "cancel", "cancellation", "cancelled"},
        {"trial", "evaluation"},
        {"tenant", "workspace"},
        {"skill", "competency", "expertise"},
        {"training", "certification", "course"},
        {"performance", "appraisal", "evaluation"},
        {"benefit", "perk"},
        {"birthday", "birth", "born", "age"},
        {"gender", "sex"},
        {"parent", "guardian"},
        {"guardian", "parent"},
        {"semester", "term"},
        {"year", "annual", "yearly"},
        {"month", "monthly"},
        {"week", "weekly"},
        {"cheap", "price"},
        {"expensive", "price"},
        {"late", "overdue", "delay", "delayed"},
        {"unpaid", "outstanding", "overdue", "due"},
        {"spent", "spend", "amount"},
        {"sold", "sale", "sell"},
        {"live", "resid", "reside", "address"},
        {"stay", "admission", "admit", "inpatient"},
        {"nurse", "caregiver"},
        {"hospital", "clinic", "facility"},
        {"author", "writer"},
        {"book", "title"},
        {"loyalty", "reward", "point"},
        {"wishlist", "favorite", "favourite"},
        {"tracking", "track", "trace"},
        {"assign", "assigned", "assignee", "handle", "handled", "handler", "responsible", "owner"},
        {"airline", "airway", "aviation"},
        {"nationality", "citizenship"},
        {"maker", "manufacturer", "producer", "make", "brand"},
        {"movie", "film", "picture"},
        {"song", "track", "tune"},
        {"singer", "vocalist"},
        {"nickname", "alias"},
        {"area", "surface"},
    };

    /**
     * One-way links from what people do to the things a database records about it: a question about what customers
     * "buy" needs the products and order lines even though it names neither. The first word of a row is the verb
     * (or adjective); the rest are the entities it implies. Weaker than synonyms and never used backwards.
     */
    private static final String[][] RELATED = {
        {"buy", "product", "item"},
        {"bought", "product", "item"},
        {"purchase", "product", "item"},
        {"sell", "product", "item", "order"},
        {"sold", "product", "item", "order"},
        {"spend", "amount", "payment", "expense", "cost"},
        {"spent", "amount", "payment", "expense", "cost"},
        {"earn", "amount", "payment", "salary", "revenue"},
        {"revenue", "amount", "payment", "invoice", "order"},
        {"pay", "payment", "amount", "invoice"},
        {"paid", "payment", "amount", "invoice"},
        {"owe", "invoice", "balance", "amount"},
        {"hire", "employee"},
        {"hired", "employee"},
        {"fire", "employee", "termination"},
        {"ship", "shipment"},
        {"shipped", "shipment"},
        {"deliver", "shipment", "delivery"},
        {"delivered", "shipment", "delivery"},
        {"teach", "teacher", "course"},
        {"taught", "teacher", "course"},
        {"enroll", "student", "course"},
        {"enrolled", "student", "course"},
        {"treat", "patient", "doctor"},
        {"treated", "patient", "doctor"},
        {"prescribe", "prescription", "patient"},
        {"prescribed", "prescription", "patient"},
        {"book", "booking", "reservation"},
        {"booked", "booking", "reservation"},
        {"rent", "rental"},
        {"rented", "rental"},
        {"borrow", "loan"},
        {"borrowed", "loan"},
        {"lend", "loan"},
        {"stock", "warehouse", "product"},
        {"churn", "subscription", "customer"},
        {"churned", "subscription", "customer"},
        {"subscribe", "subscription", "plan"},
        {"subscribed", "subscription", "plan"},
        {"click", "event", "session"},
        {"attend", "attendance", "event"},
        {"worked", "employee", "timesheet", "shift"},
        {"manage", "manager", "employee"},
        {"expensive", "price", "cost"},
        {"cheap", "price", "cost"},
        {"cheapest", "price", "cost"},
    };

    /**
     * One-way links nearly as strong as synonyms: a kind of thing to the word a schema uses for the kind ("a student
     * who has a dog" asks about pets; "European" about a continent; "English" about a language), and a comparison
     * to the attribute it compares ("lighter" -> weight, "oldest" -> age, "won" -> winner).
     */
    private static final String[][] IMPLIED = {
        {"dog", "pet", "animal"},
        {"cat", "pet", "animal"},
        {"puppy", "pet", "animal", "dog"},
        {"kitten", "pet", "animal", "cat"},
        {"europe", "continent", "region"},
        {"european", "continent", "region"},
        {"asia", "continent", "region"},
        {"asian", "continent", "region"},
        {"africa", "continent", "region"},
        {"african", "continent", "region"},
        {"america", "continent", "region"},
        {"american", "continent", "region"},
        {"oceania", "continent", "region"},
        {"english", "language"},
        {"french", "language"},
        {"dutch", "language"},
        {"chinese", "language"},
        {"spanish", "language"},
        {"german", "language"},
        {"italian", "language"},
        {"japanese", "language"},
        {"portuguese", "language"},
        {"russian", "language"},
        {"arabic", "language"},
        {"spoken", "language"},
        {"speak", "language"},
        // Comparisons and the attribute they compare.
        {"lighter", "weight"},
        {"lightest", "weight"},
        {"heavier", "weight"},
        {"heaviest", "weight"},
        {"taller", "height"},
        {"tallest", "height"},
        {"shorter", "height", "length"},
        {"shortest", "height", "length"},
        {"older", "age"},
        {"oldest", "age"},
        {"younger", "age"},
        {"youngest", "age"},
        {"longer", "length"},
        {"longest", "length"},
        {"faster", "speed"},
        {"fastest", "speed"},
        {"slower", "speed"},
        {"slowest", "speed"},
        {"bigger", "size"},
        {"biggest", "size"},
        {"larger", "size"},
        {"largest", "size"},
        {"smaller", "size"},
        {"smallest", "size"},
        {"earliest", "date", "year"},
        {"latest", "date", "year"},
        {"populous", "population"},
        {"live", "population"},
        {"living", "population"},
        {"inhabitant", "population"},
        {"resident", "population"},
        {"won", "winner", "win"},
        {"win", "winner"},
        {"winning", "winner"},
        {"beat", "winner"},
        {"lost", "loser"},
        {"lose", "loser"},
        {"built", "make", "maker"},
        {"produced", "make", "maker", "producer"},
        {"manufactured", "make", "maker", "manufacturer"},
    };

    private static final Map<String, Set<String>> SYNONYMS = new HashMap<>();
    private static final Map<String, Set<String>> RELATED_TERMS = new HashMap<>();
    private static final Map<String, Set<String>> IMPLIED_TERMS = new HashMap<>();

    static {
        for (String[] group : GROUPS) {
            Set<String> stems = new LinkedHashSet<>();
            for (String w : group) {
                stems.addAll(TextAnalyzer.terms(w));
            }
            for (String s : stems) {
                Set<String> set = SYNONYMS.computeIfAbsent(s, k -> new LinkedHashSet<>());
                for (String o : stems) {
                    if (!o.equals(s)) {
                        set.add(o);
                    }
                }
            }
        }
        link(RELATED, RELATED_TERMS);
        link(IMPLIED, IMPLIED_TERMS);
    }

    /** Links the stem of each row's first word to the stems of the rest (abbreviations not expanded: a cat). */
    private static void link(String[][] rows, Map<String, Set<String>> into) {
        for (String[] row : rows) {
            String key = TextAnalyzer.stem(row[0]);
            Set<String> set = into.computeIfAbsent(key, k -> new LinkedHashSet<>());
            for (int i = 1; i < row.length; i++) {
                String t = TextAnalyzer.stem(row[i]);
                if (!t.equals(key)) {
                    set.add(t);
                }
            }
        }
    }

    private Thesaurus() {}

    /** Returns the stems that mean about the same as {@code stem}; empty when none are known. */
    public static List<String> synonyms(String stem) {
        Set<String> s = SYNONYMS.get(stem);
        return s == null ? List.of() : List.copyOf(s);
    }

    /**
     * Returns the stems a kind or a comparison implies almost surely ({@code dog} -> pet, {@code lighter} ->
     * weight); one-way, empty when none are known.
     */
    public static List<String> implied(String stem) {
        Set<String> s = IMPLIED_TERMS.get(stem);
        return s == null ? List.of() : List.copyOf(s);
    }

    /**
     * Returns the stems of the things {@code stem} implies without meaning the same ({@code buy} implies
     * {@code product} and {@code order}); one-way, empty when none are known.
     */
    public static List<String> related(String stem) {
        Set<String> s = RELATED_TERMS.get(stem);
        return s == null ? List.of() : List.copyOf(s);
    }
}
