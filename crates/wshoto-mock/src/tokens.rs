//! The tokens the mock has issued, and whether each is still good.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::faults::lock;
use crate::server::{CODE_TOKEN_EXPIRED, CODE_TOKEN_INVALID, CODE_TOKEN_REVOKED};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenState {
    Valid { expires: Instant },
    Revoked,
}

/// Issued tokens and their state.
#[derive(Debug, Default)]
pub(crate) struct TokenStore {
    tokens: Mutex<HashMap<String, TokenState>>,
}

impl TokenStore {
    /// A new random token, good for `ttl`.
    pub(crate) fn issue(&self, ttl: Duration) -> String {
        let token = format!("mock-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let now = Instant::now();
        let expires = now
            .checked_add(ttl)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        lock(&self.tokens).insert(token.clone(), TokenState::Valid { expires });
        token
    }

    /// Revokes every token issued so far.
    pub(crate) fn revoke_all(&self) {
        for state in lock(&self.tokens).values_mut() {
            *state = TokenState::Revoked;
        }
    }

    /// Every token issued so far.
    pub(crate) fn issued(&self) -> Vec<String> {
        lock(&self.tokens).keys().cloned().collect()
    }

    /// `None` when the token is good; otherwise the code and message to refuse it with.
    pub(crate) fn check(&self, token: Option<&str>) -> Option<(i64, &'static str)> {
        let tokens = lock(&self.tokens);
        match token.and_then(|t| tokens.get(t)) {
            Some(TokenState::Valid { expires }) if *expires > Instant::now() => None,
            Some(TokenState::Valid { .. }) => Some((CODE_TOKEN_EXPIRED, "access_token已过期")),
            Some(TokenState::Revoked) => Some((CODE_TOKEN_REVOKED, "access_token已失效")),
            None => Some((CODE_TOKEN_INVALID, "access_token无效")),
        }
    }
}
