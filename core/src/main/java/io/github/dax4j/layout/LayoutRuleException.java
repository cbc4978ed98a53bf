package io.github.dax4j.layout;

import io.github.dax4j.DaxException;

/** A layout that breaks a rule of strict fixed layouts (see {@link LayoutRules}); the message names the member. */
public class LayoutRuleException extends DaxException {

    private static final long serialVersionUID = 1L;

    public LayoutRuleException(String message) {
        super(message);
    }
}
