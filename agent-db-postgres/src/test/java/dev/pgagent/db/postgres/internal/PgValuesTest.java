package dev.pgagent.db.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PgValuesTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "int4|42|42",
                "serial|7|7",
                "bigserial|9007199254740993|9007199254740993",
                "numeric|NaN|\"NaN\"",
                "float8|-Infinity|\"-Infinity\"",
                "float8|1e-05|1e-05",
                "bool|t|true",
                "bool|f|false",
                "jsonb|`{\"a\": 1}`|`{\"a\": 1}`",
                "timestamptz|2024-01-02 03:04:05+00|\"2024-01-02T03:04:05+00:00\"",
                "timestamptz|2024-01-02 03:04:05.5-03:30|\"2024-01-02T03:04:05.5-03:30\"",
                "timestamptz|1850-01-01 00:00:00+00:09:21|\"1850-01-01T00:00:00+00:09:21\"",
                "timestamptz|infinity|\"infinity\"",
                "timestamp|2024-01-02 03:04:05|\"2024-01-02T03:04:05\"",
                "_int4|`{1,NULL,3}`|`[1,null,3]`",
                "_text|`{\"a\\\"b\",\"NULL\",NULL}`|`[\"a\\\"b\",\"NULL\",null]`",
                "_int4|`[0:1]={5,6}`|`[5,6]`",
                "_box|`{(1,1),(0,0);(2,2),(1,1)}`|`[\"(1,1),(0,0)\",\"(2,2),(1,1)\"]`",
                "_bool|`{{t,f},{NULL,t}}`|`[[true,false],[null,true]]`",
                "text|`line\nbreak \"q\"`|`\"line\\nbreak \\\"q\\\"\"`",
                "mood|happy|\"happy\""
            })
    void convertsPostgresTextToJson(String type, String value, String json) {
        StringBuilder sb = new StringBuilder();

        PgValues.appendJson(sb, type, value.replace("\\n", "\n"), false);

        assertThat(sb.toString()).isEqualTo(json);
    }

    @ParameterizedTest
    @CsvSource({"\\x00ff10,AP8Q", "\\x,''"})
    void byteaBecomesBase64WhenAsked(String hex, String base64) {
        assertThat(PgValues.bytea(hex, true)).isEqualTo(base64);
        assertThat(PgValues.bytea(hex, false)).isEqualTo(hex);
    }
}
