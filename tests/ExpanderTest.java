import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** $name expansion as postconf -x does it (expected values checked against postconf 3.7). */
class ExpanderTest {
    private static final Map<String, String> VALUES = Map.of(
            "host", "mail.example",
            "domain", "example",
            "empty", "",
            "nested", "[$host]",
            "dollar", "$$x",
            "ten", "10");

    private static String expand(String value) {
        return Expander.expand(value, VALUES::get);
    }

    private static Expander.MacroError error(String value, Map<String, String> values) {
        return assertThrows(Expander.MacroError.class, () -> Expander.expand(value, values::get));
    }

    private static String errorText(String value) {
        return error(value, VALUES).getMessage();
    }

    @Test
    void plainText() {
        assertEquals("no references here", expand("no references here"));
        assertEquals("", expand(""));
    }

    @Test
    void theThreeReferenceForms() {
        assertEquals("mail.example|mail.example|mail.example", expand("$host|${host}|$(host)"));
    }

    @Test
    void plainNameEndsAtTheFirstCharacterOutsideLettersDigitsUnderscore() {
        assertEquals("mail.example.y", expand("$host.y"));
        assertEquals("", expand("$hostx"));
    }

    @Test
    void doubleDollarIsALiteralDollarNotExpandedAgain() {
        assertEquals("$|$x|$mail.example", expand("$$|$$x|$$$host"));
        assertEquals("$x", expand("$dollar"));
        assertEquals("$x", expand("${domain?$$x}"));
    }

    @Test
    void undefinedNamesExpandToNothing() {
        assertEquals("[]", expand("[$undefinedx]"));
        assertEquals("[]", expand("[${undefinedx}]"));
    }

    @Test
    void valuesAreExpandedRecursively() {
        assertEquals("<[mail.example]>", expand("<$nested>"));
    }

    @Test
    void conditionalOnNonEmpty() {
        assertEquals("[yes][]", expand("[${domain?yes}][${empty?yes}]"));
        assertEquals("[]", expand("[${undefinedx?yes}]"));
    }

    @Test
    void conditionalOnEmptyOrUndefined() {
        assertEquals("[][no][no]", expand("[${domain:no}][${empty:no}][${undefinedx:no}]"));
    }

    @Test
    void plainConditionalTextIsTheRestIncludingColonsAndBraces() {
        assertEquals("x:y", expand("${domain?x:y}"));
        assertEquals("a}", expand("${domain?a}}"));
        assertEquals("(x)", expand("$(domain?(x))"));
    }

    @Test
    void curlyTextIgnoresWhiteSpaceAroundIt() {
        assertEquals("[ yes ][][ a ][ b ][b c]",
                expand("[${domain?{ yes }}][${domain:{no}}][${domain?{ a }:{ b }}][${nosuch?{ a }:{ b }}][${nosuch?{ a }:b c}]"));
        assertEquals("a", expand("${domain?{a}:{b}  }"));
        assertEquals("a", expand("${domain?{a}:}"));
        assertEquals("x", expand("${domain:{a}}x"));
    }

    @Test
    void curlyTextIsExpanded() {
        assertEquals("mail.example", expand("${domain?{$host}:{$nosuch}}"));
        assertEquals("fallback", expand("${empty?{$host}:{fallback}}"));
    }

    @Test
    void whiteSpaceAroundTheNameIsIgnored() {
        assertEquals("mail.example", expand("${ host }"));
        assertEquals("x", expand("${domain ?x}"));
        assertEquals(" yes : no|", expand("${ domain ? yes : no}|${ domain : yes}"));
    }

    @Test
    void blankNameIsUndefinedNotAnError() {
        assertEquals("", expand("${ }"));
        assertEquals("", expand("${?x}"));
        assertEquals("x", expand("${ :x}"));
    }

    @Test
    void relationalTests() {
        assertEquals("ge le eq true []", expand("${{10} < {9}?{lt}:{ge}} ${{abc} <= {abd}?{le}} ${{010} == {10}?{eq}:{ne}} ${{a}=={a}} [${{a}!={a}}]"));
        assertEquals("|true|true|", expand("${{} == {0}}|${{0} == {00}}|${{-1} < {0}}|${{ 1} == {1}}"));
        assertEquals("yes", expand("${{$ten} > {9}?{yes}:{no}}"));
        assertEquals(" yes", expand("${ {a} == {a} ? yes}"));
        assertEquals("same", expand("${{$host} == {mail.example}?{same}:{different}}"));
        assertEquals("true", expand("${{\u00e9} > {z}}"));
    }

    @Test
    void numberTooLargeForComparisonIsAnError() {
        assertTrue(errorText("${{99999999999999999999} == {1}}").startsWith("bad number in comparison"));
    }

    @Test
    void syntaxErrorsUsePostfixWords() {
        assertEquals("truncated macro reference: \"[${abc\"", errorText("[${abc"));
        assertEquals("truncated macro reference: \"[$(abc\"", errorText("[$(abc"));
        assertEquals("truncated macro reference: \"${domain?{{x}}\"", errorText("${domain?{{x}}"));
        assertEquals("empty macro name: \"[$]\"", errorText("[$]"));
        assertEquals("empty macro name: \"[${}]\"", errorText("[${}]"));
        assertEquals("empty macro name: \"$ x\"", errorText("$ x"));
        assertEquals("attribute name syntax error at: \"...a>>> b\"", errorText("${a b}"));
        assertEquals("unbalanced {} in attribute expression: \"{x\"", errorText("$(domain?{x)}"));
        assertEquals("\":\" expected at: \"...a}>>>x\"", errorText("${domain?{a}x}"));
        assertEquals("unexpected input at: \"...b}>>>x\"", errorText("${domain?{a}:{b}  x}"));
        assertEquals("\"?\" or \":\" expected at: \"...}>>>x\"", errorText("${{a} == {a} x}"));
        assertEquals("\"{expression}\" expected at: \"...{a} ==>>> x\"", errorText("${{a} == x}"));
        assertTrue(errorText("${{a} =~ {a}}").endsWith(" expected at: \"...a}>>>=~ {a}\""));
    }

    @Test
    void errorsInBranchesNotTakenGoUnnoticedAsInPostfix() {
        assertEquals("", expand("${empty?{$}}"));
    }

    @Test
    void errorNamesTheParameterWhoseValueHoldsIt() {
        Map<String, String> values = Map.of("a", "x $b", "b", "${c");
        Expander.MacroError e = error("$a", values);
        assertEquals("b", e.parameter());
        assertEquals("truncated macro reference: \"${c\"", e.getMessage());
        assertNull(error("${", values).parameter());
    }

    @Test
    void postfixNestingLimitIs101() {
        // postconf: a chain of 101 references to an empty value works, 102 fail; a literal counts as one more level.
        assertEquals("", Expander.expand("$p1", chain(101, "")::get));
        assertEquals("unreasonable macro call nesting: \"p102\"", error("$p1", chain(102, "")).getMessage());
        assertEquals("x", Expander.expand("$p1", chain(100, "x")::get));
        assertEquals("unreasonable macro call nesting: \"x\"", error("$p1", chain(101, "x")).getMessage());
    }

    private static Map<String, String> chain(int length, String last) {
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < length; i++) values.put("p" + i, "$p" + (i + 1));
        values.put("p" + length, last);
        return values;
    }

    @Test
    void selfReferenceIsAnError() {
        Expander.MacroError e = error("$a", Map.of("a", "$b", "b", "$a"));
        assertTrue(e.getMessage().startsWith("unreasonable macro call nesting: "), e.getMessage());
    }

    @Test
    void selfReferenceThroughARelationalTestEndsToo() {
        // Postfix restarts its count inside the operand and crashes; we stop.
        Expander.MacroError e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> error("$a", Map.of("a", "${{$a} == {x}}")));
        assertEquals("a", e.parameter());
        assertTrue(e.getMessage().startsWith("unreasonable macro call nesting: "), e.getMessage());
    }

    @Test
    void billionLaughsWithOutputEndsQuicklyOnTheSizeLimit() {
        Map<String, String> values = laughs("ha ha ha");
        Expander.MacroError e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> error("$l60", values));
        assertTrue(e.getMessage().startsWith("expansion is longer than "), e.getMessage());
    }

    @Test
    void billionLaughsWithoutOutputEndsQuicklyOnTheWorkLimit() {
        Map<String, String> values = laughs("");
        Expander.MacroError e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> error("$l60", values));
        assertTrue(e.getMessage().startsWith("expansion takes too much work"), e.getMessage());
    }

    @Test
    void hugeSkippedBranchesRepeatedlyEndOnTheWorkLimit() {
        Map<String, String> values = laughs("${empty?{" + "x".repeat(100_000) + "}}");
        values.put("empty", "");
        Expander.MacroError e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> error("$l60", values));
        assertTrue(e.getMessage().startsWith("expansion takes too much work"), e.getMessage());
    }

    private static Map<String, String> laughs(String leaf) {
        Map<String, String> values = new HashMap<>();
        values.put("l0", leaf);
        for (int i = 1; i <= 60; i++) values.put("l" + i, "$l" + (i - 1) + "$l" + (i - 1) + "$l" + (i - 1));
        return values;
    }

    @Test
    void randomInputGivesAResultOrAMacroErrorNeverAnotherException() {
        String[] pieces = {"$", "$$", "{", "}", "(", ")", "?", ":", " ", "x", "host", "empty", "nested", "ten",
                "${", "$(", "{a}", "{$ten}", "==", "!=", "<", ">=", "1", "99999999999999999999", "\0", "\u00e9"};
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(16); n > 0; n--) value.append(pieces[random.nextInt(pieces.length)]);
            try {
                expand(value.toString());
            } catch (Expander.MacroError expected) {
                assertTrue(!expected.getMessage().isEmpty());
            }
        }
    }

    @Test
    void longTextInMessagesIsCut() {
        String message = errorText("${" + "x".repeat(1000));
        assertTrue(message.length() < 300, message);
    }

    /** Each result checked with postconf 3.7: {@code relayhost = <value>}, {@code postconf -xh relayhost}. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "${{3.6} <level {3.10}?{lt}:{ge}}           | lt",
        "${{3.10} <level {3.6}?{lt}:{ge}}           | ge",
        "${{3} ==level {3.0}?{eq}:{ne}}             | eq",
        "${{3.0.0} ==level {3}?{eq}:{ne}}           | eq",
        "${{3.0.1} >level {3.0}?{gt}:{le}}          | gt",
        "${{ +3.1} ==level {3.1}?{eq}:{ne}}         | eq",
        "${{3. 1} ==level {3.1}?{eq}:{ne}}          | eq",
        "${{3.+1} ==level {3.1}}                    | true",
        "${{0} ==level {-0}}                        | true",
        "${{0.0.0} ==level {0}}                     | true",
        "${{3.1023} >level {3}?{gt}:{ne}}           | gt",
        "${{3.1.1023} >=level {3.1}?{ge}:{lt}}      | ge",
        "${{3.1} <level {3.1.1}}                    | true",
        "${{3.1.1} <level {3.1.2}}                  | true",
        "${{8796093022207} ==level {3}?{eq}:{ne}}   | ne",
        "${{3} <=level {3}?{le}:{gt}}               | le",
        "${{3} !=level {3}?{ne}:{eq}}               | eq",
        "${{2} >= {10}?{ge}:{lt}}                   | lt",
        "${{10} >= {10}?{ge}:{lt}}                  | ge",
        "${{b} > {a}?{gt}:{le}}                     | gt",
        "${{a} > {a}?{gt}:{le}}                     | le",
        "${{a} != {b}?{ne}:{eq}}                    | ne",
        "${{a} <= {a}?{le}:{gt}}                    | le",
        "${{b} <= {a}?{le}:{gt}}                    | gt",
        "${{a} < {a}?{lt}:{ge}}                     | ge",
        "${{9223372036854775807} == {9223372036854775807}} | true",
    })
    void comparisonsAndCompatibilityLevels(String value, String expected) {
        assertEquals(expected, expand(value));
    }

    /** Each refusal checked with postconf 3.7 (its warning, before "macro processing error"). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "${{3.1024} ==level {3}}         | 3.1024",
        "${{3.1.1024} ==level {3}}       | 3.1.1024",
        "${{-1} ==level {3}}             | -1",
        "${{3.-1} ==level {3}}           | 3.-1",
        "${{3.1.-1} ==level {3}}         | 3.1.-1",
        "${{3x} ==level {3}}             | 3x",
        "${{3.1x} ==level {3}}           | 3.1x",
        "${{3.1.1x} ==level {3}}         | 3.1.1x",
        "${{} ==level {3}}               | ''",
        "${{99999999999999999999} ==level {3}} | 99999999999999999999",
        "${{8796093022208} ==level {3}}  | 8796093022208",
        "${{3} ==level {3x}}             | 3x",
    })
    void malformedCompatibilityLevels(String value, String level) {
        assertEquals("malformed compatibility level syntax: \"" + level + "\"", errorText(value));
    }

    /** Checked with postconf 3.7: letters and digits after an operator are a suffix, anything else is not. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "${{3} <lev {3}?{le}:{gt}} | 'bad operator suffix at: \"...<>>>lev\"'",
        "${{3} <a {3}}             | 'bad operator suffix at: \"...<>>>a\"'",
        "${{3} <z {3}}             | 'bad operator suffix at: \"...<>>>z\"'",
        "${{3} <A {3}}             | 'bad operator suffix at: \"...<>>>A\"'",
        "${{3} <Z {3}}             | 'bad operator suffix at: \"...<>>>Z\"'",
        "${{3} <0 {3}}             | 'bad operator suffix at: \"...<>>>0\"'",
        "${{3} <9 {3}}             | 'bad operator suffix at: \"...<>>>9\"'",
        "${{3} <@ {3}}             | '\"{expression}\" expected at: \"...{3} <>>>@ {3}\"'",
        "x$                        | 'empty macro name: \"x$\"'",
    })
    void operatorSuffixesAndATrailingDollar(String value, String error) {
        assertEquals(error, errorText(value));
    }

    /** Ours (Postfix quotes any length): text in a message is cut after 200 characters. */
    @Test
    void messagesQuoteUpTo200Characters() {
        String whole = "${" + "x".repeat(198);
        assertEquals("truncated macro reference: \"" + whole + "\"", errorText(whole));
        assertEquals("truncated macro reference: \"" + whole + "...\"", errorText(whole + "y"));
    }

    /** Ours (Postfix has no limit): the result may be 1 MiB long, not a character more. */
    @Test
    void resultSizeLimitIsExact() {
        String limit = "x".repeat(Expander.MAX_RESULT_CHARS);
        assertEquals(limit, expand(limit));
        assertEquals("expansion is longer than " + Expander.MAX_RESULT_CHARS + " characters", errorText(limit + "y"));
    }

    /** Ours: what is appended counts as work, even inside comparisons, whose results are not output. */
    @Test
    void appendedTextCountsAsWork() {
        Map<String, String> values = Map.of("a", "x".repeat(1000), "b", "$a".repeat(1000));
        // One comparison: 1000 references, each parsing and appending 1000 characters.
        assertEquals("", Expander.expand("${{$b} == {x}}", values::get));
        assertTrue(error("${{$b} == {x}}${{$b} == {x}}", values).getMessage().startsWith("expansion takes too much work"));
    }
}
