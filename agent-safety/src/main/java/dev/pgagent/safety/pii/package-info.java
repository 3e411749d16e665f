/**
 * Detection and redaction of personal data in results before the model sees them: e-mail addresses, phone numbers,
 * payment card numbers, IBANs, national identifiers and IP addresses, plus columns whose names mark personal data.
 * Start at {@link dev.pgagent.safety.pii.PiiRedactor#of(dev.pgagent.api.safety.SafetyPolicy)}.
 */
@NullMarked
package dev.pgagent.safety.pii;

import org.jspecify.annotations.NullMarked;
