package dev.pgagent.safety.pii;

/** A kind of personal data the {@link PiiRedactor} recognises, with the mask and hash label it writes for it. */
public enum PiiKind {
    /** An e-mail address. */
    EMAIL("[EMAIL]", "email"),
    /** A phone number, international ({@code +CC ...}) or in a common national format. */
    PHONE("[PHONE]", "phone"),
    /** A payment card number: 13 to 19 digits that pass the Luhn check and start like a card network's. */
    PAYMENT_CARD("[CARD]", "card"),
    /** An IBAN that passes its mod-97 check. */
    IBAN("[IBAN]", "iban"),
    /**
     * A national identifier: US SSN, UK National Insurance number, Canadian SIN, Spanish DNI/NIE, Italian codice
     * fiscale.
     */
    NATIONAL_ID("[NATIONAL_ID]", "national_id"),
    /** An IPv4 or IPv6 address. */
    IP_ADDRESS("[IP]", "ip"),
    /** Any value of a column whose name marks personal data (for example {@code email} or {@code date_of_birth}). */
    NAMED_COLUMN("[PII]", "pii");

    private final String mask;
    private final String label;

    PiiKind(String mask, String label) {
        this.mask = mask;
        this.label = label;
    }

    /** Returns the text written in place of a value in {@code MASK} mode, for example {@code [EMAIL]}. */
    public String mask() {
        return mask;
    }

    /** Returns the prefix of a hash in {@code HASH} mode, for example {@code email} in {@code email:3f9a1c2b}. */
    public String label() {
        return label;
    }
}
