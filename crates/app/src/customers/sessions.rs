//! Registering, sign-in links, password sign-in, the customer behind a token, signing out.

use std::net::IpAddr;

use omnicanal_domain::customers::{Identifier, IdentifierKind, LinkState, SESSION_TTL_MS, link};
use omnicanal_store::{CustomerAccountRow, CustomerIdentifierRow, CustomerSessionRow, CustomerSignInLinkRow};

use super::commands::{LinkRequest, PasswordSignIn, RegisterCustomer};
use crate::App;
use crate::access::passwords::{DUMMY_HASH, hash_password, verify_password};
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, new_token, sha256_hex};

/// Most links one account is sent per link lifetime (15 minutes): a bound on mail anyone can
/// make us send to an address. Past it, asking answers the same and sends nothing.
pub const MAX_LINKS_PER_WINDOW: i64 = 5;

/// A link the edge must send (through the notification gateway). The token is shown to nobody
/// else and never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToSend {
    /// The token to put in the link.
    pub token: String,
    /// Where to send it.
    pub to: Identifier,
}

impl std::fmt::Debug for LinkToSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkToSend").field("token", &"<redacted>").field("to", &self.to.kind()).finish()
    }
}

/// A signed-in customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSession {
    /// The account's id.
    pub account_id: String,
    /// The name it gave.
    pub name: Option<String>,
    /// SHA-256 of the session token (to end it).
    pub token_hash: String,
}

/// One e-mail or phone of the account, and whether it was proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerIdentifierView {
    /// E-mail or phone.
    pub kind: IdentifierKind,
    /// The normalised value.
    pub value: String,
    /// Whether a link sent to it was used (only then do its purchases show).
    pub verified: bool,
}

/// What `GET /customers/me` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerProfile {
    /// The account's id.
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// Its identifiers, e-mails first.
    pub identifiers: Vec<CustomerIdentifierView>,
    /// Whether it can sign in by password.
    pub has_password: bool,
}

fn session_of(account: CustomerAccountRow, token_hash: String) -> CustomerSession {
    CustomerSession { account_id: account.id, name: account.name, token_hash }
}

/// The sign-in throttle's key for a customer: kept apart from staff e-mails, so a customer's
/// failures never slow a staff member with the same address.
fn throttle_key(who: &Identifier) -> String {
    format!("customer:{}:{}", who.kind().as_str(), who.value())
}

impl App {
    /// Registers a customer (or finds the account an identifier already belongs to) and makes
    /// the link that confirms it. The answer does not say whether the account existed; a
    /// password is kept for the link only for a new account (never set on someone else's).
    pub async fn register_customer(&self, command: RegisterCustomer) -> AppResult<Option<LinkToSend>> {
        let target = command.link_target().ok_or_else(|| AppError::invalid("email", "give an e-mail or a phone"))?;
        let now = self.now_ms();
        let mut existing = self.store.find_customer_by_identifier(target.kind(), target.value()).await?;
        if existing.is_none()
            && let Some(phone) = &command.phone
        {
            existing = self.store.find_customer_by_identifier(IdentifierKind::Phone, phone.as_str()).await?;
        }
        let given: Vec<Identifier> = command
            .email
            .iter()
            .cloned()
            .map(Identifier::Email)
            .chain(command.phone.iter().cloned().map(Identifier::Phone))
            .collect();
        let identifier_row = |account_id: &str, identifier: &Identifier| CustomerIdentifierRow {
            account_id: account_id.to_owned(),
            kind: identifier.kind(),
            value: identifier.value().to_owned(),
            verified_at_ms: None,
            created_at_ms: now,
        };
        let (account_id, password_hash) = match existing {
            Some(account) => {
                for identifier in &given {
                    self.store.add_customer_identifier(&identifier_row(&account.id, identifier)).await?;
                }
                (account.id, None)
            }
            None => {
                let account = CustomerAccountRow {
                    id: new_id("cus"),
                    name: command.name.clone(),
                    password_hash: None,
                    created_at_ms: now,
                };
                let rows: Vec<_> = given.iter().map(|identifier| identifier_row(&account.id, identifier)).collect();
                self.store.insert_customer_account(&account, &rows).await?;
                let hash = command.password.as_ref().map(|password| hash_password(password.expose())).transpose()?;
                (account.id, hash)
            }
        };
        // The identifier the link goes to is on the account now (added above when it was found
        // by the phone alone).
        self.make_link(&account_id, target, password_hash).await
    }

    /// A sign-in link to an e-mail or phone that has an account; `None` (and nothing sent)
    /// when none has, or when the account was sent too many links lately. The caller answers
    /// the same either way.
    pub async fn request_customer_link(&self, request: LinkRequest) -> AppResult<Option<LinkToSend>> {
        let Some(account) = self.store.find_customer_by_identifier(request.to.kind(), request.to.value()).await? else {
            return Ok(None);
        };
        self.make_link(&account.id, request.to, None).await
    }

    async fn make_link(
        &self,
        account_id: &str,
        to: Identifier,
        password_hash: Option<String>,
    ) -> AppResult<Option<LinkToSend>> {
        let now = self.now_ms();
        let recent = self.store.count_customer_sign_in_links(account_id, now - link::LINK_TTL_MS).await?;
        if recent >= MAX_LINKS_PER_WINDOW {
            return Ok(None);
        }
        let token = new_token();
        self.store
            .insert_customer_sign_in_link(&CustomerSignInLinkRow {
                token_hash: sha256_hex(token.as_bytes()),
                account_id: account_id.to_owned(),
                kind: to.kind(),
                value: to.value().to_owned(),
                password_hash,
                created_at_ms: now,
                expires_at_ms: link::expires_at(now),
                used_at_ms: None,
            })
            .await?;
        Ok(Some(LinkToSend { token, to }))
    }

    /// Signs in with a link's token: once, within 15 minutes. Using it proves the e-mail or
    /// phone it was sent to (its purchases join the history) and sets a password chosen at
    /// registration. Returns the session token (shown once) and the session.
    pub async fn sign_in_with_customer_link(&self, token: &str) -> AppResult<(String, CustomerSession)> {
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::NotFound("sign-in link"));
        }
        let token_hash = sha256_hex(token.as_bytes());
        let link =
            self.store.get_customer_sign_in_link(&token_hash).await?.ok_or(AppError::NotFound("sign-in link"))?;
        let now = self.now_ms();
        LinkState::of(link.used_at_ms, link.expires_at_ms, now).use_link().map_err(AppError::SignInLinkRefused)?;
        let session_token = new_token();
        let session = CustomerSessionRow {
            token_hash: sha256_hex(session_token.as_bytes()),
            account_id: link.account_id.clone(),
            created_at_ms: now,
            expires_at_ms: now + SESSION_TTL_MS,
        };
        if !self.store.use_customer_sign_in_link(&token_hash, now, &session).await? {
            // Another request used it between the read and the update.
            return Err(AppError::SignInLinkRefused(omnicanal_domain::customers::LinkRefusal::Used));
        }
        let account = self.customer_account(&link.account_id).await?;
        Ok((session_token, session_of(account, session.token_hash)))
    }

    /// Signs in with an e-mail or phone and a password, throttled as staff sign-ins are (per
    /// identifier and client address, growing delays; while one runs the answer is `Throttled`
    /// and the password is not checked).
    pub async fn sign_in_customer(
        &self,
        command: PasswordSignIn,
        client_ip: Option<IpAddr>,
    ) -> AppResult<(String, CustomerSession)> {
        let attempt = self
            .login_throttle
            .begin(&throttle_key(&command.who), client_ip)
            .map_err(|refused| AppError::Throttled { retry_after_secs: refused.retry_after_secs() })?;
        let outcome = self.check_customer_password(&command).await;
        match &outcome {
            Ok(_) => self.login_throttle.succeeded(attempt),
            Err(AppError::Unauthenticated(_)) => self.login_throttle.failed(attempt),
            Err(_) => self.login_throttle.abandoned(attempt),
        }
        outcome
    }

    async fn check_customer_password(&self, command: &PasswordSignIn) -> AppResult<(String, CustomerSession)> {
        let wrong = AppError::Unauthenticated("wrong e-mail, phone or password");
        if command.too_long() {
            return Err(wrong);
        }
        let account = self.store.find_customer_by_identifier(command.who.kind(), command.who.value()).await?;
        let Some((account, hash)) = account.and_then(|a| a.password_hash.clone().map(|hash| (a, hash))) else {
            // As slow as a wrong password, so timing does not tell who has an account.
            let _ = verify_password(command.password(), DUMMY_HASH);
            return Err(wrong);
        };
        if !verify_password(command.password(), &hash) {
            return Err(wrong);
        }
        let now = self.now_ms();
        let token = new_token();
        let session = CustomerSessionRow {
            token_hash: sha256_hex(token.as_bytes()),
            account_id: account.id.clone(),
            created_at_ms: now,
            expires_at_ms: now + SESSION_TTL_MS,
        };
        self.store.insert_customer_session(&session).await?;
        Ok((token, session_of(account, session.token_hash)))
    }

    /// The customer of a session token, if it is known and not expired. Staff tokens are not
    /// customer sessions (and customer tokens are not staff sessions).
    pub async fn customer_session(&self, token: &str) -> AppResult<Option<CustomerSession>> {
        let token_hash = sha256_hex(token.as_bytes());
        let account = self.store.customer_session_account(&token_hash, self.now_ms()).await?;
        Ok(account.map(|account| session_of(account, token_hash)))
    }

    /// Ends a customer's session at once.
    pub async fn sign_out_customer(&self, session: &CustomerSession) -> AppResult<()> {
        self.store.delete_customer_session(&session.token_hash).await?;
        Ok(())
    }

    /// The signed-in customer's account.
    pub async fn customer_profile(&self, session: &CustomerSession) -> AppResult<CustomerProfile> {
        let account = self.customer_account(&session.account_id).await?;
        let identifiers = self.store.customer_identifiers(&account.id).await?;
        Ok(CustomerProfile {
            id: account.id,
            name: account.name,
            has_password: account.password_hash.is_some(),
            identifiers: identifiers
                .into_iter()
                .map(|row| CustomerIdentifierView {
                    kind: row.kind,
                    value: row.value,
                    verified: row.verified_at_ms.is_some(),
                })
                .collect(),
        })
    }

    pub(super) async fn customer_account(&self, id: &str) -> AppResult<CustomerAccountRow> {
        self.store
            .get_customer_account(id)
            .await?
            .ok_or(AppError::Unauthenticated("the account no longer exists; sign in again"))
    }
}
