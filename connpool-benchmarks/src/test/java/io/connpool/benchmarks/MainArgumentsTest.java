package io.connpool.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class MainArgumentsTest {

    @Test
    void givenValuesWinAndMissingOnesFallBack() {
        MainArguments arguments = MainArguments.parse(new String[] {"pairs=12", "json=out.jsonl", "a=x=y"}, "a",
                "pairs", "millis", "json");
        assertThat(arguments.integer("pairs", 8)).isEqualTo(12);
        assertThat(arguments.number("millis", 1000)).isEqualTo(1000);
        assertThat(arguments.text("json", null)).isEqualTo("out.jsonl");
        assertThat(arguments.text("a", null)).as("only the first '=' splits").isEqualTo("x=y");
    }

    @Test
    void anUnknownKeyIsRefusedWithTheKnownOnes() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MainArguments.parse(new String[] {"pair=3"}, "pairs", "json"))
                .withMessage("unknown argument 'pair=3'; use pairs=, json=");
    }
}
