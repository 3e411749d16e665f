package dev.pgagent.safety.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PiiDetectionTest {
    private final PiiRedactor redactor = PiiRedactor.builder().build();

    private List<Detection> detect(String text) {
        return redactor.detect(text);
    }

    private void assertOnly(String text, PiiKind kind, String expectedSpan) {
        List<Detection> found = detect(text);
        assertThat(found).as("detections in <%s>", text).hasSize(1);
        assertThat(found.get(0).kind()).isEqualTo(kind);
        assertThat(found.get(0).in(text)).isEqualTo(expectedSpan);
    }

    private void assertNone(String text) {
        assertThat(detect(text)).as("detections in <%s>", text).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "alice@example.com",
                "Alice.Smith+news@mail.example.co.uk",
                "o'brien_1990@sub-domain.example.org",
                "X@Y.IO"
            })
    void findsEmailAddresses(String email) {
        assertOnly("contact: " + email + ", thanks", PiiKind.EMAIL, email);
    }

    @ParameterizedTest
    @ValueSource(strings = {"user@localhost", "@handle", "a@b", "not an email", "x@1.2", "select 'a' || '@' || 'b'"})
    void ignoresThingsThatOnlyLookLikeEmail(String text) {
        assertNone(text);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+1 415 555 2671",
                "+14155552671",
                "+44 20 7946 0958",
                "+49 (30) 1234-5678",
                "+33 1 23 45 67 89",
                "0044 20 7946 0958",
                "(415) 555-2671",
                "415-555-2671",
                "415.555.2671",
                "020 7946 0958",
                "030/1234567",
                "06-12345678",
                "(0171) 1234567",
                "01 23 45 67 89"
            })
    void findsPhoneNumbers(String phone) {
        assertOnly("call " + phone + " today", PiiKind.PHONE, phone);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "4155552671", // a bare 10-digit integer: an id as likely as a number
                "123456789",
                "2024-01-15",
                "15.01.2024",
                "05-11-2024 12",
                "01.02.2024 10",
                "12:30:45",
                "1234.56",
                "-1234567.89",
                "0.123456789",
                "+5",
                "+1.5%",
                "1,234,567",
                "123-456-7890",
                "order 100245",
                "2024-01-15T10:00:00+01:00",
                "10:00:00+0100",
                "v1.2.3",
                "SELECT 1",
                "550e8400-e29b-41d4-a716-446655440000",
                "978-3-16-148410-0",
                "1 day 02:03:04",
                "{1,2,3}",
                "9223372036854775807",
                "1 234 567,89"
            })
    void ignoresNumbersThatAreNotPhoneNumbers(String text) {
        assertNone(text);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004",
                "3782 822463 10005", "6011000990139424", "2223000048400011", "4222222222222"
            })
    void findsPaymentCardNumbers(String card) {
        assertOnly("paid with " + card + ".", PiiKind.PAYMENT_CARD, card);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "4111111111111112", // fails Luhn
                "4111 1111 1111 1112",
                "1234567812345670", // passes Luhn, but no card network starts with 1
                "9999999999999995", // passes Luhn, no network
                "0.41111111111111113",
                "4111111111111111.25",
                "41111111111111110",
                "4111-1111 1111-1111", // mixed separators
                "20240115103000123" // a timestamp as digits
            })
    void ignoresNumbersThatAreNotCards(String text) {
        assertThat(detect(text)).extracting(Detection::kind).doesNotContain(PiiKind.PAYMENT_CARD);
    }

    @Test
    void findsACardInsideALongerNumberSequenceAfterRejectingTheLongerCandidate() {
        assertOnly("ref 12 4111111111111111", PiiKind.PAYMENT_CARD, "4111111111111111");
        assertOnly("amex 3782 822463 10005 12/27", PiiKind.PAYMENT_CARD, "3782 822463 10005");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32",
                "FR1420041010050500013M02606", "NL91ABNA0417164300", "CH9300762011623852957"
            })
    void findsIbans(String iban) {
        assertOnly("pay to " + iban + " please", PiiKind.IBAN, iban);
    }

    @Test
    void stopsAnIbanAtItsCountryLengthWithoutSwallowingTheNextWord() {
        assertOnly("DE89 3704 0044 0532 0130 00 EUR", PiiKind.IBAN, "DE89 3704 0044 0532 0130 00");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "DE89370400440532013001", // check digits wrong
                "GB82 WEST 1234 5698 7654 33",
                "XX89370400440532013000", // no such country
                "AB12CDEF34567890",
                "ISO8601DATEFORMAT1"
            })
    void ignoresStringsThatAreNotIbans(String text) {
        assertThat(detect(text)).extracting(Detection::kind).doesNotContain(PiiKind.IBAN);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "123-45-6789",
                "078-05-1120",
                "AB 12 34 56 C",
                "JG103759A",
                "046 454 286",
                "12345678Z",
                "X1234567L",
                "RSSMRA85T10A562S"
            })
    void findsNationalIdentifiers(String id) {
        assertOnly("id " + id + " on file", PiiKind.NATIONAL_ID, id);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "000-12-3456",
                "666-12-3456",
                "900-12-3456",
                "123-00-4567",
                "123-45-0000", // invalid SSNs
                "GB 12 34 56 A",
                "AB 12 34 56 E", // invalid NINO prefix and suffix
                "046 454 287", // fails Luhn
                "12345678A", // wrong DNI check letter
                "RSSMRA85T10A562X", // wrong codice fiscale check letter
                "2024-01-15",
                "123-456"
            })
    void ignoresInvalidNationalIdentifiers(String text) {
        assertThat(detect(text)).extracting(Detection::kind).doesNotContain(PiiKind.NATIONAL_ID);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "192.168.1.20",
                "8.8.8.8",
                "255.255.255.255",
                "2001:db8::1",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                "fe80::1%eth0",
                "::1",
                "::ffff:192.0.2.128",
                "2001:db8::"
            })
    void findsIpAddresses(String ip) {
        assertOnly("from " + ip + " at noon", PiiKind.IP_ADDRESS, ip);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.2.3",
                "v1.2.3.4",
                "1.2.3.4.5",
                "256.1.1.1",
                "3.14",
                "12:30:45",
                "00:1A:2B:3C:4D:5E",
                "2024-01-15 12:30:45.123+00",
                "'2024-01-01'::date",
                "x::int",
                "std::vector",
                "1:2:3:4:5:6:7:8:9"
            })
    void ignoresVersionsTimesMacsAndCasts(String text) {
        assertThat(detect(text)).extracting(Detection::kind).doesNotContain(PiiKind.IP_ADDRESS);
    }

    @Test
    void reportsSeveralFindingsInTextOrderWithoutOverlaps() {
        String text = "Mail bob@example.org or call +1 415 555 2671 from 10.0.0.7; card 4111 1111 1111 1111.";

        assertThat(detect(text))
                .extracting(Detection::kind)
                .containsExactly(PiiKind.EMAIL, PiiKind.PHONE, PiiKind.IP_ADDRESS, PiiKind.PAYMENT_CARD);
    }

    @Test
    void prefersTheEmailOverDigitsInsideIt() {
        assertOnly("john.4155552671@example.com", PiiKind.EMAIL, "john.4155552671@example.com");
    }

    @Test
    void scansLongRepetitiveValuesWithoutOverflowingTheStack() {
        // Unbounded repeated groups in java.util.regex recurse once per repetition; these inputs used to overflow.
        assertNone("1.".repeat(100_000));
        assertNone(("+" + "1".repeat(40) + " ").repeat(200));
        assertNone(("0" + "1 ".repeat(30)).repeat(300));
        assertNone("2001:".repeat(50_000));
        String longText = "a.".repeat(50_000) + " contact ada@example.com";
        assertThat(detect(longText)).extracting(Detection::kind).containsExactly(PiiKind.EMAIL);
    }

    @Test
    void findsEveryOneOfManyValuesInOneLargeText() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 5_000; i++) {
            json.append("{\"id\":")
                    .append(i)
                    .append(",\"mail\":\"user")
                    .append(i)
                    .append("@example.com\"},");
        }
        String text = json.append("]").toString();

        List<Detection> found = detect(text);

        assertThat(found).hasSize(5_000).allSatisfy(d -> assertThat(d.kind()).isEqualTo(PiiKind.EMAIL));
        assertThat(found.get(4_999).in(text)).isEqualTo("user4999@example.com");
    }

    @Test
    void skipsTextWithoutDigitsAtOrColons() {
        assertNone("A plain sentence about customers and their orders.");
        assertNone("");
    }
}
