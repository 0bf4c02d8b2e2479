//! Who people are to the platform: the four roles of the contract.

crate::named_enum! {
    /// A signed-in user's role.
    pub enum Role("role") {
        /// Runs the platform (the mall operator).
        Admin => "admin",
        /// Manages one merchant and all its locations.
        MerchantManager => "merchant_manager",
        /// Works at one location.
        Staff => "staff",
        /// Answers support tickets across merchants (read-only elsewhere).
        SupportAgent => "support_agent",
    }
}

impl Role {
    /// True for the roles that work across every merchant.
    pub fn is_platform(self) -> bool {
        match self {
            Role::Admin | Role::SupportAgent => true,
            Role::MerchantManager | Role::Staff => false,
        }
    }

    /// True for the roles that belong to one merchant (and must name it).
    pub fn belongs_to_merchant(self) -> bool {
        !self.is_platform()
    }
}
