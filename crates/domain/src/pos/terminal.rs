//! A card terminal's refusals: the issuer's decline codes the till shows, each with what the
//! cashier should do next (a stable code the till's catalogue turns into words).

crate::named_enum! {
    /// An issuer's decline code (ISO 8583 response codes the terminals report).
    pub enum DeclineCode("decline_code") {
        /// 05: do not honour — the issuer refused without saying why.
        DoNotHonour => "05",
        /// 51: insufficient funds.
        InsufficientFunds => "51",
        /// 54: expired card.
        ExpiredCard => "54",
        /// 91: issuer or switch unavailable.
        IssuerUnavailable => "91",
    }
}

crate::named_enum! {
    /// What the cashier should do after a decline.
    pub enum NextStep("next_step") {
        /// Ask for another card or another way to pay; the customer may call their bank.
        AnotherMethod => "ask_another_method",
        /// Split the payment: a smaller amount on this card, the rest another way.
        SplitOrAnotherMethod => "split_or_another_method",
        /// The card has expired: ask for another card.
        AnotherCard => "ask_another_card",
        /// The bank cannot be reached: try again in a moment, or use the external terminal or cash.
        RetryOrExternal => "retry_or_external_terminal",
    }
}

impl DeclineCode {
    /// What the cashier should do next.
    pub fn next_step(self) -> NextStep {
        match self {
            DeclineCode::DoNotHonour => NextStep::AnotherMethod,
            DeclineCode::InsufficientFunds => NextStep::SplitOrAnotherMethod,
            DeclineCode::ExpiredCard => NextStep::AnotherCard,
            DeclineCode::IssuerUnavailable => NextStep::RetryOrExternal,
        }
    }

    /// Whether the same card may succeed if tried again later.
    pub fn may_succeed_later(self) -> bool {
        matches!(self, DeclineCode::IssuerUnavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_decline_has_its_own_next_step() {
        let mut steps: Vec<NextStep> = DeclineCode::ALL.iter().map(|code| code.next_step()).collect();
        steps.dedup();
        assert_eq!(steps.len(), DeclineCode::ALL.len());
        assert_eq!(DeclineCode::parse("51"), Ok(DeclineCode::InsufficientFunds));
        assert!(DeclineCode::IssuerUnavailable.may_succeed_later());
    }
}
