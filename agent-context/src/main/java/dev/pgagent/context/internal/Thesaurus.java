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
    };

    private static final Map<String, Set<String>> SYNONYMS = new HashMap<>();

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
    }

    private Thesaurus() {}

    /** Returns the stems that mean about the same as {@code stem}; empty when none are known. */
    public static List<String> synonyms(String stem) {
        Set<String> s = SYNONYMS.get(stem);
        return s == null ? List.of() : List.copyOf(s);
    }
}
