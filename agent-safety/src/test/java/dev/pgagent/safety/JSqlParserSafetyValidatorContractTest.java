package dev.pgagent.safety;

import dev.pgagent.api.safety.SafetyPolicy;
import dev.pgagent.api.safety.SafetyValidator;
import dev.pgagent.testkit.contract.SafetyValidatorContract;

/** The library's validator keeps the contract every {@link SafetyValidator} must keep. */
class JSqlParserSafetyValidatorContractTest extends SafetyValidatorContract {
    @Override
    protected SafetyValidator validator(SafetyPolicy policy) {
        return JSqlParserSafetyValidator.of(policy);
    }
}
